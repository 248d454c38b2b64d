package dev.reasoningsdk.impl.aggregate.internal;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The features of the learned outcome verifier, one vector per chain of a question, shared by its trainer
 * ({@code reasoning-sdk-training}) and {@link dev.reasoningsdk.impl.aggregate.LearnedVerifier} so that both compute
 * them by one rule. Not API.
 *
 * <p>Computing features is two steps. {@link #observe} reads what a chain shows by itself and among the question's
 * other chains (its answer, the arithmetic verifier's step checks, length, sentence embeddings): nothing learned.
 * {@link Observed#vector} adds what is learned from labelled training rows (the reliability of each chain's
 * source), so cross-validation can recompute it from each fold's training rows alone.
 */
public final class ChainFeatures {

    /** One feature; {@link #group} is what a feature set names. */
    public enum Feature {
        /** Log-odds of the source's accuracy on the training rows. */
        SOURCE_RELIABILITY("chain"),
        /** 1 when an answer could be extracted. */
        HAS_ANSWER("chain"),
        /** {@code log(1 + steps)}, the arithmetic verifier's checkable steps. */
        STEPS("chain"),
        /** Share of steps the verifier found right (0 without steps). */
        STEP_ACCURACY("chain"),
        /** 1 when the chain has no checkable step. */
        NO_STEPS("chain"),
        /** 1 when every step is right and there is at least one. */
        ALL_STEPS_CORRECT("chain"),
        /** 1 when the final answer is some step's result. */
        ANSWER_CONSISTENT("chain"),
        /** 1 when the answer is a non-negative whole number. */
        WHOLE_ANSWER("chain"),
        /** {@code log(1 + characters)}. */
        LENGTH("chain"),
        /** {@code log(1 + lines)}. */
        LINES("chain"),
        /** Share of the question's distinct numbers (digits or number words) that the chain mentions. */
        QUESTION_NUMBERS_USED("chain"),
        /**
         * {@code log(1 + n)}, {@code n} the chain's distinct numbers that are neither in the question, nor a result
         * the chain computed, nor a common constant (quantities it made up).
         */
        UNSUPPORTED_NUMBERS("chain"),
        /** Share of the question's other chains whose answer is equivalent. */
        AGREEMENT("agreement"),
        /** The other chains' source accuracies, summed over those that agree, over the sum over all of them. */
        RELIABLE_AGREEMENT("agreement"),
        /**
         * The vote weight of the chain's answer: the sum over the chain and those agreeing with it of
         * {@code log(4 r / (1 - r))}, {@code r} a source's accuracy (a one-coin Dawid-Skene weight, 5 alternatives),
         * floored at 0.
         */
        ANSWER_SUPPORT("agreement"),
        /** The largest vote weight, as {@link #ANSWER_SUPPORT}, of another answer among the question's chains. */
        RIVAL_SUPPORT("agreement"),
        /** Cosine of the question's and the chain's sentence embeddings. */
        QUESTION_COSINE("embedding"),
        /** Mean cosine of the chain's embedding with the other chains' embeddings. */
        PEER_COSINE("embedding");

        private final String group;

        Feature(String group) {
            this.group = group;
        }

        /** The feature-set group: {@code chain}, {@code agreement} or {@code embedding}. */
        public String group() {
            return group;
        }

        /** The name in files: lower case. */
        public String fileName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The features of the groups named in {@code set}, {@code +}-joined (e.g. {@code chain+agreement}), in
         * declaration order.
         *
         * @throws IllegalArgumentException if a group is unknown or repeated, or the set is empty
         */
        public static List<Feature> parseSet(String set) {
            List<String> groups = Arrays.asList(set.split("\\+"));
            for (String group : groups) {
                if (!List.of("chain", "agreement", "embedding").contains(group)) {
                    throw new IllegalArgumentException("feature set '" + set + "': unknown group '" + group
                            + "'; use chain, agreement and embedding, +-joined");
                }
            }
            if (groups.stream().distinct().count() != groups.size()) {
                throw new IllegalArgumentException("feature set '" + set + "' repeats a group");
            }
            return Arrays.stream(values()).filter(f -> groups.contains(f.group)).toList();
        }

        /**
         * The feature of a file name.
         *
         * @throws IllegalArgumentException if none has it
         */
        public static Feature ofFileName(String name) {
            for (Feature feature : values()) {
                if (feature.fileName().equals(name)) {
                    return feature;
                }
            }
            throw new IllegalArgumentException("unknown verifier feature '" + name + "'");
        }
    }

    /**
     * Per-source accuracy learned from labelled rows, smoothed with one right and one wrong pseudo-chain; a source
     * not seen in training gets {@code fallback}, the pooled accuracy of every training chain.
     *
     * @param accuracies accuracy per source name
     * @param fallback   the accuracy of an unseen source
     */
    public record SourceAccuracy(Map<String, Double> accuracies, double fallback) {
        /** @throws IllegalArgumentException if an accuracy lies outside (0, 1) */
        public SourceAccuracy {
            accuracies = Map.copyOf(accuracies);
            for (double accuracy : accuracies.values()) {
                requireOpenUnit(accuracy);
            }
            requireOpenUnit(fallback);
        }

        /** The accuracy of {@code source}. */
        public double of(String source) {
            return accuracies.getOrDefault(source, fallback);
        }

        /**
         * Counts each source's right and wrong chains.
         *
         * @param sources the source of each labelled chain
         * @param correct whether each was right
         */
        public static SourceAccuracy count(List<String> sources, List<Boolean> correct) {
            Map<String, int[]> counts = new java.util.TreeMap<>();
            int right = 0;
            for (int i = 0; i < sources.size(); i++) {
                int[] count = counts.computeIfAbsent(sources.get(i), s -> new int[2]);
                count[0] += correct.get(i) ? 1 : 0;
                count[1]++;
                right += correct.get(i) ? 1 : 0;
            }
            Map<String, Double> accuracies = new java.util.TreeMap<>();
            counts.forEach((source, count) -> accuracies.put(source, (count[0] + 1.0) / (count[1] + 2.0)));
            return new SourceAccuracy(accuracies, (right + 1.0) / (sources.size() + 2.0));
        }

        private static void requireOpenUnit(double accuracy) {
            if (!(accuracy > 0 && accuracy < 1)) {
                throw new IllegalArgumentException("a source accuracy must be in (0, 1), was " + accuracy);
            }
        }
    }

    private final AnswerExtractor extractor;
    private final ArithmeticVerifier verifier;

    /**
     * Features read with {@code extractor} (answers and their equivalence) and the arithmetic verifier's step
     * checks.
     */
    public ChainFeatures(AnswerExtractor extractor) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        this.verifier = ArithmeticVerifier.builder().extractor(extractor).build();
    }

    /**
     * What the chains of one question show, without anything learned.
     *
     * @param encoder embeds the question and the chains for the embedding features; empty to leave them out
     *                (then a vector that asks for them is refused)
     */
    public List<Observed> observe(String question, List<ReasoningChain> chains, Optional<SentenceEncoder> encoder) {
        Objects.requireNonNull(question, "question");
        int n = chains.size();
        List<Optional<String>> answers = new ArrayList<>(n);
        for (ReasoningChain chain : chains) {
            answers.add(extractor.extract(chain.text()));
        }
        // Each chain's answer group: the first earlier chain whose answer is equivalent, as AnswerGrouping does.
        int[] groups = new int[n];
        for (int i = 0; i < n; i++) {
            groups[i] = answers.get(i).isEmpty() ? -1 : i;
            for (int j = 0; j < i && groups[i] == i; j++) {
                if (groups[j] == j && extractor.equivalent(answers.get(j).get(), answers.get(i).get())) {
                    groups[i] = j;
                }
            }
        }
        float[] questionEmbedding = null;
        List<float[]> embeddings = null;
        if (encoder.isPresent()) {
            List<String> texts = new ArrayList<>(n + 1);
            texts.add(question);
            chains.forEach(chain -> texts.add(chain.text()));
            List<float[]> all = encoder.get().embedAll(texts);
            questionEmbedding = all.get(0);
            embeddings = all.subList(1, all.size());
        }
        java.util.Set<String> questionNumbers = numbers(question);
        List<Observed> observed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ReasoningChain chain = chains.get(i);
            ArithmeticVerifier.Verification verification = verifier.verify(chain.text());
            double[] raw = new double[Feature.values().length];
            raw[Feature.HAS_ANSWER.ordinal()] = answers.get(i).isPresent() ? 1 : 0;
            int steps = verification.steps().size();
            raw[Feature.STEPS.ordinal()] = Math.log1p(steps);
            raw[Feature.STEP_ACCURACY.ordinal()] = steps == 0 ? 0 : verification.correctSteps() / (double) steps;
            raw[Feature.NO_STEPS.ordinal()] = steps == 0 ? 1 : 0;
            raw[Feature.ALL_STEPS_CORRECT.ordinal()] = steps > 0 && verification.correctSteps() == steps ? 1 : 0;
            raw[Feature.ANSWER_CONSISTENT.ordinal()] = verification.answerConsistent() ? 1 : 0;
            raw[Feature.WHOLE_ANSWER.ordinal()] = answers.get(i).map(ChainFeatures::wholeNumber).orElse(false) ? 1 : 0;
            raw[Feature.LENGTH.ordinal()] = Math.log1p(chain.text().length());
            raw[Feature.LINES.ordinal()] = Math.log1p(chain.text().lines().count());
            java.util.Set<String> chainNumbers = numbers(chain.text());
            raw[Feature.QUESTION_NUMBERS_USED.ordinal()] = questionNumbers.isEmpty() ? 1
                    : questionNumbers.stream().filter(chainNumbers::contains).count() / (double) questionNumbers.size();
            java.util.Set<String> computed = new java.util.HashSet<>();
            verification.steps().forEach(step -> computed.add(numberKey(step.stated())));
            raw[Feature.UNSUPPORTED_NUMBERS.ordinal()] = Math.log1p(chainNumbers.stream()
                    .filter(x -> !questionNumbers.contains(x) && !computed.contains(x) && !CONSTANTS.contains(x))
                    .count());
            int agreeing = 0;
            for (int j = 0; j < n; j++) {
                agreeing += j != i && groups[i] >= 0 && groups[j] == groups[i] ? 1 : 0;
            }
            raw[Feature.AGREEMENT.ordinal()] = n > 1 ? agreeing / (double) (n - 1) : 0;
            if (embeddings != null) {
                raw[Feature.QUESTION_COSINE.ordinal()] = SentenceEncoder.cosine(questionEmbedding, embeddings.get(i));
                double peers = 0;
                for (int j = 0; j < n; j++) {
                    peers += j == i ? 0 : SentenceEncoder.cosine(embeddings.get(i), embeddings.get(j));
                }
                raw[Feature.PEER_COSINE.ordinal()] = n > 1 ? peers / (n - 1) : 0;
            }
            List<String> sources = chains.stream().map(ReasoningChain::source).toList();
            observed.add(new Observed(i, chain.source(), answers.get(i), raw, sources, groups, embeddings != null));
        }
        return observed;
    }

    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("\\d+(?:,\\d{3})*(?:\\.\\d+)?");
    private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("[a-z]+");
    private static final List<String> NUMBER_WORDS = List.of("zero", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen", "twenty");
    /** Numbers a chain may bring in without the question stating them: halves, percents, units of time. */
    private static final java.util.Set<String> CONSTANTS = java.util.Set.of("0", "1", "2", "3", "4", "7", "10",
            "12", "24", "30", "52", "60", "100", "365", "1000");

    /** The distinct numbers of a text, written as digits ({@code 1,200.50} as {@code 1200.5}) or words to twenty. */
    static java.util.Set<String> numbers(String text) {
        java.util.Set<String> found = new java.util.HashSet<>();
        java.util.regex.Matcher digits = NUMBER.matcher(dev.reasoningsdk.impl.internal.ReplyWindow.head(text));
        while (digits.find()) {
            found.add(numberKey(Double.parseDouble(digits.group().replace(",", ""))));
        }
        java.util.regex.Matcher words = WORD.matcher(dev.reasoningsdk.impl.internal.ReplyWindow.head(text)
                .toLowerCase(Locale.ROOT));
        while (words.find()) {
            int value = NUMBER_WORDS.indexOf(words.group());
            if (value >= 0) {
                found.add(String.valueOf(value));
            } else if (words.group().equals("dozen")) {
                found.add("12");
            }
        }
        return found;
    }

    private static String numberKey(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.valueOf(value);
    }

    private static boolean wholeNumber(String answer) {
        try {
            double value = Double.parseDouble(answer.replace(",", ""));
            return value >= 0 && value == Math.rint(value);
        } catch (NumberFormatException notNumeric) {
            return false;
        }
    }

    /**
     * What one chain shows among its question's chains, before anything learned is added.
     *
     * @param index    the chain's position among its question's chains
     * @param source   the chain's source
     * @param answer   its extracted answer
     * @param raw      the features that need nothing learned, indexed by {@link Feature#ordinal()}
     * @param sources  the sources of every chain of the question, in order
     * @param groups   the answer group of each chain of the question (the index of the group's first chain; -1
     *                 without an answer)
     * @param embedded whether the embedding features were computed
     */
    public record Observed(int index, String source, Optional<String> answer, double[] raw, List<String> sources,
                           int[] groups, boolean embedded) {

        /** Checks nothing beyond non-null: built only by {@link ChainFeatures#observe}. */
        public Observed {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(answer, "answer");
            sources = List.copyOf(sources);
        }

        /**
         * The vector of {@code features}, in that order, with the source accuracies {@code reliability}.
         *
         * @throws IllegalArgumentException if an embedding feature is asked of a chain observed without an encoder
         */
        public double[] vector(List<Feature> features, SourceAccuracy reliability) {
            double[] vector = new double[features.size()];
            for (int k = 0; k < vector.length; k++) {
                Feature feature = features.get(k);
                vector[k] = switch (feature) {
                    case SOURCE_RELIABILITY -> logit(reliability.of(source));
                    case RELIABLE_AGREEMENT -> reliableAgreement(reliability);
                    case ANSWER_SUPPORT -> groups[index] < 0 ? 0 : support(groups[index], reliability);
                    case RIVAL_SUPPORT -> rivalSupport(reliability);
                    case QUESTION_COSINE, PEER_COSINE -> {
                        if (!embedded) {
                            throw new IllegalArgumentException(feature.fileName() + " needs a sentence encoder");
                        }
                        yield raw[feature.ordinal()];
                    }
                    default -> raw[feature.ordinal()];
                };
            }
            return vector;
        }

        private double reliableAgreement(SourceAccuracy reliability) {
            double agreeing = 0;
            double all = 0;
            for (int j = 0; j < sources.size(); j++) {
                if (j != index) {
                    double accuracy = reliability.of(sources.get(j));
                    all += accuracy;
                    agreeing += groups[index] >= 0 && groups[j] == groups[index] ? accuracy : 0;
                }
            }
            return all > 0 ? agreeing / all : 0;
        }

        /** The summed vote weights of the chains in {@code group}. */
        private double support(int group, SourceAccuracy reliability) {
            double sum = 0;
            for (int j = 0; j < sources.size(); j++) {
                if (groups[j] == group) {
                    double r = reliability.of(sources.get(j));
                    sum += Math.max(0, Math.log(4 * r / (1 - r)));
                }
            }
            return sum;
        }

        private double rivalSupport(SourceAccuracy reliability) {
            double rival = 0;
            for (int j = 0; j < sources.size(); j++) {
                if (groups[j] == j && j != groups[index]) {
                    rival = Math.max(rival, support(j, reliability));
                }
            }
            return rival;
        }

        private static double logit(double p) {
            return Math.log(p / (1 - p));
        }
    }
}
