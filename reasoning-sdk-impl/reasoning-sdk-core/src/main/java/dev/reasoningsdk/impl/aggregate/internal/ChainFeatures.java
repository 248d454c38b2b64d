package dev.reasoningsdk.impl.aggregate.internal;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        PEER_COSINE("embedding"),
        /** 1 when the question asks "how many" and the answer is not a whole number (a count cannot be 2.5). */
        FRACTIONAL_COUNT("text"),
        /** 1 when the answer is negative. */
        NEGATIVE_ANSWER("text"),
        /**
         * {@code log(1 + n)}, {@code n} the steps before the last whose result no later step's expression reads: work
         * the chain did and then dropped, often a sign it lost the thread.
         */
        UNUSED_RESULTS("text"),
        /**
         * Share of the question's distinct numbers other than 0 and 1 that some step's expression reads (1 when the
         * question has none): a chain that computes with every given quantity.
         */
        QUESTION_NUMBERS_COMPUTED("text"),
        /**
         * 1 when the number written right after a calculator annotation {@code <<a op b=c>>} is not {@code c}: the
         * chain's text went on with another value than the one it computed.
         */
        ANNOTATION_TEXT_MISMATCH("text"),
        /** 1 when the last step's expression adds. */
        FINAL_ADDITION("text"),
        /** 1 when the last step's expression subtracts. */
        FINAL_SUBTRACTION("text"),
        /** 1 when the last step's expression multiplies. */
        FINAL_MULTIPLICATION("text"),
        /** 1 when the last step's expression divides. */
        FINAL_DIVISION("text"),
        /**
         * {@code |log((|a| + 1) / (m + 1))|}, {@code a} the answer and {@code m} the question's largest number: how
         * far the answer's scale is from the question's (0 without an answer).
         */
        ANSWER_SCALE("text"),
        /** 1 when the answer is one of the question's numbers (copied rather than computed). */
        ANSWER_IN_QUESTION("text"),
        /** 1 when exactly one of the question and the chain writes {@code $}: a unit the chain lost or invented. */
        DOLLAR_MISMATCH("text"),
        /** The largest source log-odds (as {@link #SOURCE_RELIABILITY}) among the chain and those agreeing with it. */
        BEST_SOURCE_IN_GROUP("answers"),
        /**
         * 1 when the chain's answer has the largest vote weight ({@link #ANSWER_SUPPORT}) of the question's answers.
         */
        TOP_SUPPORT("answers"),
        /** The source's log-odds when no other chain agrees with the chain, else 0. */
        ALONE_RELIABILITY("answers"),
        /** The source's log-odds when every chain of the question has a different answer, else 0. */
        ALL_DIFFER_RELIABILITY("answers");

        /** The groups a feature set names, in the order candidate sets grow. */
        public static final List<String> GROUPS = List.of("chain", "agreement", "text", "answers", "embedding");

        private final String group;

        Feature(String group) {
            this.group = group;
        }

        /** The feature-set group, one of {@link #GROUPS}. */
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
                if (!GROUPS.contains(group)) {
                    throw new IllegalArgumentException("feature set '" + set + "': unknown group '" + group
                            + "'; use " + String.join(", ", GROUPS) + ", +-joined");
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
                Arguments.openUnit(accuracy, "a source accuracy");
            }
            Arguments.openUnit(fallback, "a source accuracy");
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
            Map<String, int[]> counts = new TreeMap<>();
            int right = 0;
            for (int i = 0; i < sources.size(); i++) {
                int[] count = counts.computeIfAbsent(sources.get(i), s -> new int[2]);
                count[0] += correct.get(i) ? 1 : 0;
                count[1]++;
                right += correct.get(i) ? 1 : 0;
            }
            Map<String, Double> accuracies = new TreeMap<>();
            counts.forEach((source, count) -> accuracies.put(source, (count[0] + 1.0) / (count[1] + 2.0)));
            return new SourceAccuracy(accuracies, (right + 1.0) / (sources.size() + 2.0));
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
        Set<String> questionNumbers = numbers(question);
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
            Set<String> chainNumbers = numbers(chain.text());
            raw[Feature.QUESTION_NUMBERS_USED.ordinal()] = questionNumbers.isEmpty() ? 1
                    : questionNumbers.stream().filter(chainNumbers::contains).count() / (double) questionNumbers.size();
            Set<String> computed = new HashSet<>();
            verification.steps().forEach(step -> computed.add(numberKey(step.stated())));
            raw[Feature.UNSUPPORTED_NUMBERS.ordinal()] = Math.log1p(chainNumbers.stream()
                    .filter(x -> !questionNumbers.contains(x) && !computed.contains(x) && !CONSTANTS.contains(x))
                    .count());
            int agreeing = 0;
            for (int j = 0; j < n; j++) {
                agreeing += j != i && groups[i] >= 0 && groups[j] == groups[i] ? 1 : 0;
            }
            raw[Feature.AGREEMENT.ordinal()] = n > 1 ? agreeing / (double) (n - 1) : 0;
            readText(question, questionNumbers, chain.text(), answers.get(i), verification.steps(), raw);
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

    /** The text features: what the chain's words and calculator annotations show against the question's. */
    private static void readText(String question, Set<String> questionNumbers, String text,
                                 Optional<String> answer, List<ArithmeticVerifier.Step> steps, double[] raw) {
        OptionalDouble value = answer.flatMap(ChainFeatures::parse).map(OptionalDouble::of)
                .orElse(OptionalDouble.empty());
        boolean whole = value.isPresent() && value.getAsDouble() == Math.rint(value.getAsDouble());
        raw[Feature.FRACTIONAL_COUNT.ordinal()] = value.isPresent() && !whole
                && question.toLowerCase(Locale.ROOT).contains("how many") ? 1 : 0;
        raw[Feature.NEGATIVE_ANSWER.ordinal()] = value.isPresent() && value.getAsDouble() < 0 ? 1 : 0;
        List<Set<String>> read = steps.stream().map(step -> numbers(step.expression())).toList();
        int unused = 0;
        for (int s = 0; s < steps.size() - 1; s++) {
            String result = Double.isNaN(steps.get(s).stated()) ? "" : numberKey(steps.get(s).stated());
            boolean used = false;
            for (int later = s + 1; later < steps.size() && !used; later++) {
                used = read.get(later).contains(result);
            }
            unused += used ? 0 : 1;
        }
        raw[Feature.UNUSED_RESULTS.ordinal()] = Math.log1p(unused);
        Set<String> given = new HashSet<>(questionNumbers);
        given.removeAll(List.of("0", "1"));
        Set<String> computedWith = new HashSet<>();
        read.forEach(computedWith::addAll);
        raw[Feature.QUESTION_NUMBERS_COMPUTED.ordinal()] = given.isEmpty() ? 1
                : given.stream().filter(computedWith::contains).count() / (double) given.size();
        raw[Feature.ANNOTATION_TEXT_MISMATCH.ordinal()] = annotationTextMismatch(text) ? 1 : 0;
        String last = steps.isEmpty() ? "" : steps.get(steps.size() - 1).expression();
        raw[Feature.FINAL_ADDITION.ordinal()] = last.contains("+") ? 1 : 0;
        raw[Feature.FINAL_SUBTRACTION.ordinal()] = last.replaceFirst("^\\s*-", "").contains("-") ? 1 : 0;
        raw[Feature.FINAL_MULTIPLICATION.ordinal()] = last.contains("*") ? 1 : 0;
        raw[Feature.FINAL_DIVISION.ordinal()] = last.contains("/") ? 1 : 0;
        double largest = questionNumbers.stream().mapToDouble(Double::parseDouble).max().orElse(1);
        raw[Feature.ANSWER_SCALE.ordinal()] = value.isEmpty() ? 0
                : Math.abs(Math.log((Math.abs(value.getAsDouble()) + 1) / (largest + 1)));
        raw[Feature.ANSWER_IN_QUESTION.ordinal()] = value.isPresent()
                && questionNumbers.contains(numberKey(value.getAsDouble())) ? 1 : 0;
        raw[Feature.DOLLAR_MISMATCH.ordinal()] = question.contains("$") != text.contains("$") ? 1 : 0;
    }

    /** A calculator annotation and what follows it: blanks, an optional {@code $}, then perhaps a number. */
    private static final Pattern ANNOTATION_AND_NEXT = Pattern.compile(
            "<<[^<>=]*=([^<>]*)>>\\s*\\$?\\s*(-?\\d+(?:,\\d{3})*(?:\\.\\d+)?)?");

    private static boolean annotationTextMismatch(String text) {
        Matcher annotation = ANNOTATION_AND_NEXT.matcher(
                ReplyWindow.head(text));
        while (annotation.find()) {
            Optional<Double> result = parse(annotation.group(1));
            if (annotation.group(2) != null && result.isPresent()
                    && Math.abs(Double.parseDouble(annotation.group(2).replace(",", "")) - result.get()) > 1e-6) {
                return true;
            }
        }
        return false;
    }

    /** The number a text starts with (after blanks and {@code $}), thousands separators dropped. */
    private static Optional<Double> parse(String text) {
        Matcher number = LEADING_NUMBER.matcher(text.replace(",", ""));
        return number.lookingAt() ? Optional.of(Double.parseDouble(number.group(1))) : Optional.empty();
    }

    private static final Pattern LEADING_NUMBER =
            Pattern.compile("\\s*\\$?\\s*(-?\\d+(?:\\.\\d+)?)");

    private static final Pattern NUMBER =
            Pattern.compile("\\d+(?:,\\d{3})*(?:\\.\\d+)?");
    private static final Pattern WORD = Pattern.compile("[a-z]+");
    private static final List<String> NUMBER_WORDS = List.of("zero", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen", "twenty");
    /** Numbers a chain may bring in without the question stating them: halves, percents, units of time. */
    private static final Set<String> CONSTANTS = Set.of("0", "1", "2", "3", "4", "7", "10",
            "12", "24", "30", "52", "60", "100", "365", "1000");

    /** The distinct numbers of a text, written as digits ({@code 1,200.50} as {@code 1200.5}) or words to twenty. */
    static Set<String> numbers(String text) {
        Set<String> found = new HashSet<>();
        Matcher digits = NUMBER.matcher(ReplyWindow.head(text));
        while (digits.find()) {
            found.add(numberKey(Double.parseDouble(digits.group().replace(",", ""))));
        }
        Matcher words = WORD.matcher(ReplyWindow.head(text)
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
                    case BEST_SOURCE_IN_GROUP -> bestSourceInGroup(reliability);
                    case TOP_SUPPORT -> groups[index] >= 0
                            && support(groups[index], reliability) >= topSupport(reliability) ? 1 : 0;
                    case ALONE_RELIABILITY -> groups[index] >= 0 && groupSize() == 1
                            ? logit(reliability.of(source)) : 0;
                    case ALL_DIFFER_RELIABILITY -> allDiffer() ? logit(reliability.of(source)) : 0;
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

        private double bestSourceInGroup(SourceAccuracy reliability) {
            double best = logit(reliability.of(source));
            for (int j = 0; j < sources.size(); j++) {
                if (groups[index] >= 0 && groups[j] == groups[index]) {
                    best = Math.max(best, logit(reliability.of(sources.get(j))));
                }
            }
            return best;
        }

        /** The largest vote weight of any answer of the question. */
        private double topSupport(SourceAccuracy reliability) {
            double top = 0;
            for (int j = 0; j < sources.size(); j++) {
                top = groups[j] == j ? Math.max(top, support(j, reliability)) : top;
            }
            return top;
        }

        private int groupSize() {
            int size = 0;
            for (int group : groups) {
                size += group == groups[index] ? 1 : 0;
            }
            return size;
        }

        /** Whether every chain of the question has an answer and no two agree. */
        private boolean allDiffer() {
            for (int j = 0; j < groups.length; j++) {
                if (groups[j] != j) {
                    return false;
                }
            }
            return true;
        }

        private static double logit(double p) {
            return Math.log(p / (1 - p));
        }
    }
}
