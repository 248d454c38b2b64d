package dev.reasoningsdk.impl.training;

import static dev.reasoningsdk.impl.training.CrossValidation.round;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.aggregate.VerifierProvenance;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures.Feature;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.QuestionDigests;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link LearnedVerifier} on questions with several labelled chains each, with the held-out protocol of the
 * retrieval heads ({@link HeadTrainer}).
 *
 * <ol>
 *   <li><b>Split by question.</b> A fixed-seed shuffle holds out {@code heldOutFraction} of the questions (all
 *       their chains). Nothing below reads them, not their chains, not their gold answers, until step 4.</li>
 *   <li><b>Choose settings by cross-validation on the training questions.</b> For every candidate (a feature set
 *       and an L2 penalty), {@code repeats} times {@code folds}-fold cross-validation over training questions: the
 *       source accuracies and the logistic regression are fitted on the other folds' chains, and the fold's
 *       questions are answered by the best-scoring chain (best-of-N).</li>
 *   <li><b>The shipping rule, fixed in code before any held-out figure exists:</b> the candidate with the highest
 *       mean cross-validated best-of-N accuracy ships; on a tie, the earlier candidate (candidates run from the
 *       fewest features and the strongest penalty). It is refitted on all training questions.</li>
 *   <li><b>Held-out figures.</b> The frozen verifier answers the held-out questions: best-of-N, the vote weighted
 *       by its scores, the best single source and the oracle on the same questions.</li>
 * </ol>
 *
 * <p>A chain is labelled right when its extracted answer is equivalent to the gold answer. The regression is
 * {@link HeadTrainer}'s class-weighted fit on standardised features. Defaults: seed 42, held-out fraction 0.2, 5
 * folds, 3 repeats (repeat {@code r} deals the folds with seed {@code 100 (r + 1)}), the feature sets of
 * {@link #defaultFeatureSets}; L2 grid {1, 0.1, 0.01, 0.001, 0.0001}; the numeric extractor. Immutable and thread-safe
 * when the encoder is.
 */
public final class VerifierTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(VerifierTrainer.class);

    /** The shipping rule, as the provenance records it. */
    public static final String SHIPPING_RULE = "the candidate (feature set and l2) with the highest mean "
            + "cross-validated best-of-N accuracy on the training questions ships, whatever the held-out figure; "
            + "ties to the earlier candidate (fewer feature groups, stronger penalty); refitted on all training "
            + "questions; fixed and committed before the held-out questions are read (version 2 of the shipped "
            + "weights: the same held-out questions were read once before, to measure version 1)";

    private final long seed;
    private final double heldOutFraction;
    private final int folds;
    private final int repeats;
    private final List<String> featureSets;
    private final double[] l2Grid;
    private final AnswerExtractor extractor;
    private final Optional<SentenceEncoder> encoder;

    private VerifierTrainer(Builder builder) {
        this.seed = builder.seed;
        this.heldOutFraction = builder.heldOutFraction;
        this.folds = builder.folds;
        this.repeats = builder.repeats;
        this.extractor = builder.extractor;
        this.encoder = Optional.ofNullable(builder.encoder);
        this.featureSets = builder.featureSets != null ? builder.featureSets
                : defaultFeatureSets(encoder.isPresent());
        this.l2Grid = builder.l2Grid.clone();
    }

    /**
     * The candidate feature sets when none are given, simplest first: {@code chain}, {@code chain+agreement},
     * {@code chain+agreement+text}, {@code chain+agreement+answers}, {@code chain+agreement+text+answers} and, with
     * an encoder, the last with {@code +embedding}.
     */
    public static List<String> defaultFeatureSets(boolean withEncoder) {
        List<String> sets = new ArrayList<>(List.of("chain", "chain+agreement", "chain+agreement+text",
                "chain+agreement+answers", "chain+agreement+text+answers"));
        if (withEncoder) {
            sets.add("chain+agreement+text+answers+embedding");
        }
        return List.copyOf(sets);
    }

    /** A trainer with the defaults and no encoder (no embedding features). */
    public static VerifierTrainer create() {
        return builder().build();
    }

    /** A builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One question with its labelled chains.
     *
     * @param question the question
     * @param gold     the gold answer
     * @param chains   the chains, each with its source
     */
    public record LabelledChains(String question, String gold, List<ReasoningChain> chains) {
        /** @throws IllegalArgumentException if there are no chains */
        public LabelledChains {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(gold, "gold");
            chains = List.copyOf(chains);
            if (chains.isEmpty()) {
                throw new IllegalArgumentException("a question needs at least one chain");
            }
        }
    }

    /**
     * The data trained on, for the provenance.
     *
     * @param name   the file's name
     * @param sha256 SHA-256 of its bytes
     */
    public record DataRecord(String name, String sha256) {
        /** @throws NullPointerException if either is null */
        public DataRecord {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * The held-out questions' row numbers, sorted: a shuffle of all rows with {@code seed}, the first
     * {@code round(questions * fraction)} of it.
     */
    public static List<Integer> heldOutRows(int questions, long seed, double fraction) {
        // HeadTrainer's split with one class: the same shuffle, so both trainers hold out by one rule.
        int[] rows = HeadTrainer.heldOutIndices(Collections.nCopies(questions, true), seed, fraction);
        return java.util.Arrays.stream(rows).boxed().toList();
    }

    /**
     * Trains on {@code data}'s questions as the class comment describes.
     *
     * @param progress told the number of training questions observed so far (embedding them is the slow part)
     * @throws IllegalArgumentException if fewer than {@code folds} questions are left for training, the training
     *                                  chains are all right or all wrong (or those of one kind sit in one
     *                                  cross-validation fold's questions), or a held-out row repeats a training
     *                                  question or another held-out row's (found once the verifier is frozen, when
     *                                  the held-out rows are read)
     */
    public LearnedVerifier.Weights train(List<LabelledChains> questions, DataRecord data, IntConsumer progress) {
        Objects.requireNonNull(data, "data");
        List<Integer> heldOut = heldOutRows(questions.size(), seed, heldOutFraction);
        List<Integer> training = new ArrayList<>();
        for (int row = 0; row < questions.size(); row++) {
            if (Collections.binarySearch(heldOut, row) < 0) {
                training.add(row);
            }
        }
        if (training.size() < folds) {
            throw new IllegalArgumentException(training.size() + " training questions, fewer than " + folds
                    + " folds");
        }
        // Only training rows are read from here to the frozen verifier, each once.
        List<LabelledChains> trainingRows = training.stream().map(questions::get).toList();
        // Repeated questions are refused before the features are observed, the slow part (embeddings).
        List<String> trainedOn = QuestionDigests.trainingDigests(
                trainingRows.stream().map(LabelledChains::question).toList(), training);
        List<Observed> observed = new ArrayList<>(training.size());
        ChainFeatures chainFeatures = new ChainFeatures(extractor);
        for (LabelledChains question : trainingRows) {
            observed.add(observe(chainFeatures, question));
            progress.accept(observed.size());
        }
        List<VerifierProvenance.Candidate> candidates = new ArrayList<>();
        CrossValidated bestValidated = null;
        for (String set : featureSets) {
            List<Feature> features = Feature.parseSet(set);
            for (double l2 : l2Grid) {
                CrossValidated validated = crossValidate(observed, set, features, l2);
                VerifierProvenance.Candidate candidate = validated.candidate();
                LOG.info("cross-validation: {} l2 {}: best-of-N {} (sd {}), weighted vote {}", set, l2,
                        candidate.accuracy(), candidate.accuracySd(), candidate.weightedVoteAccuracy());
                candidates.add(candidate);
                if (bestValidated == null || candidate.accuracy() > bestValidated.candidate().accuracy()) {
                    bestValidated = validated;
                }
            }
        }
        VerifierProvenance.Candidate best = bestValidated.candidate();
        LOG.info("shipping rule ({}): {} with l2 {}", SHIPPING_RULE, best.features(), best.l2());
        List<Feature> chosen = Feature.parseSet(best.features());
        Fitted fitted = fit(observed, chosen, best.l2());
        VerifierProvenance pending = new VerifierProvenance(data.name(), data.sha256(), questions.size(),
                training.size(), heldOut.size(), seed, heldOutFraction, heldOut, best.features(), best.l2(),
                SHIPPING_RULE, candidates, new VerifierProvenance.Figures(0, 0, 0, 0, 0), trainedOn,
                bestValidated.byAgreement());
        LearnedVerifier.Weights frozen = fitted.weights(encoder, pending);
        // The verifier is fixed: only now are the held-out questions read, to measure it.
        List<LabelledChains> heldOutQuestions = heldOut.stream().map(questions::get).toList();
        // The split is by row: a held-out row that repeats a training question would be measured on what the
        // verifier was trained on, and its held-out figure would overstate it.
        for (int i = 0; i < heldOut.size(); i++) {
            if (pending.trainedOn(heldOutQuestions.get(i).question())) {
                throw new IllegalArgumentException("held-out row " + heldOut.get(i) + " (0-based) repeats a "
                        + "training question (case, white space and punctuation aside): the split is by row, so "
                        + "remove the repeated questions first");
            }
        }
        // Two held-out rows holding one question would count it twice in the held-out figure; whether a repeat
        // was refused (above) or counted twice then hung on where the seed's shuffle dealt the two rows.
        QuestionDigests.firstRepeat(heldOutQuestions.stream().map(LabelledChains::question).toList())
                .ifPresent(repeat -> {
                    throw new IllegalArgumentException("held-out rows " + heldOut.get(repeat.first()) + " and "
                            + heldOut.get(repeat.second()) + " (0-based) hold the same question (case, white space "
                            + "and punctuation aside): the held-out figure would count it twice, so remove the "
                            + "repeated questions first");
                });
        VerifierProvenance.Figures figures = evaluate(verifier(frozen), heldOutQuestions);
        LOG.info("held out ({} questions): best-of-N {}, weighted vote {}, best single source {}, oracle {}",
                figures.questions(), figures.accuracy(), figures.weightedVoteAccuracy(), figures.bestSingleSource(),
                figures.oracle());
        VerifierProvenance provenance = new VerifierProvenance(data.name(), data.sha256(), questions.size(),
                training.size(), heldOut.size(), seed, heldOutFraction, heldOut, best.features(), best.l2(),
                SHIPPING_RULE, candidates, figures, trainedOn, bestValidated.byAgreement());
        return fitted.weights(encoder, provenance);
    }

    /** The verifier of {@code weights} with this trainer's extractor and encoder. */
    private LearnedVerifier verifier(LearnedVerifier.Weights weights) {
        LearnedVerifier.Builder builder = LearnedVerifier.builder().weights(weights).extractor(extractor);
        encoder.ifPresent(builder::encoder);
        return builder.build();
    }

    /**
     * A verifier's figures on labelled questions: best-of-N (the answer of the highest-scoring chain with an
     * answer, the first on a tie), the vote weighted by the scores, the best single source and the oracle.
     */
    public static VerifierProvenance.Figures evaluate(LearnedVerifier verifier, List<LabelledChains> questions) {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        Tally tally = new Tally();
        for (LabelledChains question : questions) {
            List<Double> p = verifier.probabilities(question.question(), question.chains());
            List<Optional<String>> answers = question.chains().stream()
                    .map(chain -> numeric.extract(chain.text())).toList();
            tally.add(question.chains(), answers, p, question.gold(), numeric);
        }
        return tally.figures();
    }

    /** A training question's chains observed, with their labels. */
    private record Observed(List<ChainFeatures.Observed> chains, List<Boolean> correct, List<Optional<String>> answers,
                            String gold, List<ReasoningChain> raw) {
    }

    private Observed observe(ChainFeatures chainFeatures, LabelledChains question) {
        List<ChainFeatures.Observed> chains = chainFeatures.observe(question.question(), question.chains(), encoder);
        List<Boolean> correct = chains.stream().map(chain -> chain.answer()
                .map(answer -> extractor.equivalent(answer, question.gold())).orElse(false)).toList();
        return new Observed(chains, correct, chains.stream().map(ChainFeatures.Observed::answer).toList(),
                question.gold(), question.chains());
    }

    /** A candidate's cross-validated figures, and the same split by agreement (pooled over repeats). */
    private record CrossValidated(VerifierProvenance.Candidate candidate,
                                  Map<String, VerifierProvenance.Figures> byAgreement) {
    }

    private CrossValidated crossValidate(List<Observed> observed, String set, List<Feature> features, double l2) {
        List<Double> foldAccuracies = new ArrayList<>();
        double accuracy = 0;
        double voted = 0;
        double single = 0;
        Tally allRepeats = new Tally();
        for (int repeat = 0; repeat < repeats; repeat++) {
            int[] fold = CrossValidation.folds(observed.size(), folds, 100L * (repeat + 1));
            Tally pooled = new Tally();
            for (int f = 0; f < folds; f++) {
                List<Observed> fitRows = new ArrayList<>();
                List<Observed> testRows = new ArrayList<>();
                for (int i = 0; i < observed.size(); i++) {
                    (fold[i] == f ? testRows : fitRows).add(observed.get(i));
                }
                requireBothLabels(fitRows, observed, f);
                Fitted fitted = fit(fitRows, features, l2);
                Tally tally = new Tally();
                for (Observed question : testRows) {
                    List<Double> p = question.chains().stream().map(fitted::probability).toList();
                    tally.add(question.raw(), question.answers(), p, question.gold(), extractor);
                    pooled.add(question.raw(), question.answers(), p, question.gold(), extractor);
                    allRepeats.add(question.raw(), question.answers(), p, question.gold(), extractor);
                }
                foldAccuracies.add(tally.figures().accuracy());
            }
            VerifierProvenance.Figures figures = pooled.figures();
            accuracy += figures.accuracy() / repeats;
            voted += figures.weightedVoteAccuracy() / repeats;
            single += figures.bestSingleSource() / repeats;
        }
        double sd = CrossValidation.standardDeviation(foldAccuracies.stream().mapToDouble(Double::doubleValue)
                .toArray());
        return new CrossValidated(
                new VerifierProvenance.Candidate(set, l2, round(accuracy), round(sd), round(voted), round(single)),
                allRepeats.figuresByAgreement(repeats));
    }

    /**
     * Refuses a cross-validation fold whose other folds hold chains that are all right or all wrong, naming the
     * cause: the training questions hold both, but those with a wrong (or right) chain are too few to be dealt into
     * more than one fold, so the fold's fit has nothing to tell apart. Reported as the training chains being all
     * right, it contradicted the file.
     */
    private void requireBothLabels(List<Observed> fitRows, List<Observed> observed, int fold) {
        for (boolean label : new boolean[] {true, false}) {
            if (fitRows.stream().noneMatch(row -> row.correct().contains(label))) {
                long holding = observed.stream().filter(row -> row.correct().contains(label)).count();
                if (holding == 0) {
                    // The training chains themselves are all one label: fit says so.
                    return;
                }
                String kind = label ? "right" : "wrong";
                throw new IllegalArgumentException("only " + holding + " of the " + observed.size()
                        + " training questions hold a " + kind + " chain, and cross-validation fold " + (fold + 1)
                        + " of " + folds + " takes them all, leaving its fit no " + kind + " chain; give more "
                        + "questions with " + kind + " chains");
            }
        }
    }

    /** Source accuracies and the regression, fitted on {@code rows}. */
    private Fitted fit(List<Observed> rows, List<Feature> features, double l2) {
        List<String> sources = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        for (Observed row : rows) {
            row.chains().forEach(chain -> sources.add(chain.source()));
            labels.addAll(row.correct());
        }
        if (!labels.contains(true) || !labels.contains(false)) {
            throw new IllegalArgumentException("the training chains are all " + (labels.contains(true) ? "right"
                    : "wrong") + "; a verifier needs both");
        }
        ChainFeatures.SourceAccuracy reliability = ChainFeatures.SourceAccuracy.count(sources, labels);
        List<float[]> x = new ArrayList<>(labels.size());
        for (Observed row : rows) {
            for (ChainFeatures.Observed chain : row.chains()) {
                double[] vector = chain.vector(features, reliability);
                float[] values = new float[vector.length];
                for (int j = 0; j < vector.length; j++) {
                    values[j] = (float) vector[j];
                }
                x.add(values);
            }
        }
        HeadTrainer.Fit fit = HeadTrainer.create().fit(x, labels, l2);
        return new Fitted(features, reliability, fit);
    }

    /** A fitted regression with the source accuracies it was fitted with. */
    private record Fitted(List<Feature> features, ChainFeatures.SourceAccuracy reliability, HeadTrainer.Fit fit) {

        double probability(ChainFeatures.Observed chain) {
            double[] vector = chain.vector(features, reliability);
            float[] values = new float[vector.length];
            for (int j = 0; j < vector.length; j++) {
                values[j] = (float) vector[j];
            }
            return fit.probability(values);
        }

        LearnedVerifier.Weights weights(Optional<SentenceEncoder> encoder, VerifierProvenance provenance) {
            double[] theta = fit.theta();
            int d = features.size();
            boolean embeddings = features.stream().anyMatch(f -> f.group().equals("embedding"));
            return new LearnedVerifier.Weights(features.stream().map(Feature::fileName).toList(), fit.mean(),
                    fit.scale(), java.util.Arrays.copyOf(theta, d), theta[d], reliability.accuracies(),
                    reliability.fallback(), embeddings ? encoder.orElseThrow().modelId() : "", provenance);
        }
    }

    /**
     * Right answers of best-of-N, the weighted vote, each source and the oracle, over questions, and the same per
     * agreement class.
     */
    private static final class Tally {
        private int questions;
        private int bestOfN;
        private int voted;
        private int oracle;
        /** Per source: its right chains and all its chains (a source may give a question several samples). */
        private final Map<String, int[]> bySource = new LinkedHashMap<>();
        /** One tally per agreement class ({@link VerifierProvenance#agreementClass}); null in those tallies. */
        private final Map<String, Tally> byAgreement;

        Tally() {
            this(true);
        }

        private Tally(boolean splitByAgreement) {
            this.byAgreement = splitByAgreement ? new LinkedHashMap<>() : null;
        }

        void add(List<ReasoningChain> chains, List<Optional<String>> answers, List<Double> p, String gold,
                 AnswerExtractor extractor) {
            questions++;
            int best = -1;
            List<String> groups = new ArrayList<>();
            List<Double> sums = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            boolean any = false;
            for (int i = 0; i < chains.size(); i++) {
                boolean right = answers.get(i).map(a -> extractor.equivalent(a, gold)).orElse(false);
                any |= right;
                int[] count = bySource.computeIfAbsent(chains.get(i).source(), source -> new int[2]);
                count[0] += right ? 1 : 0;
                count[1]++;
                if (answers.get(i).isEmpty()) {
                    continue;
                }
                if (best < 0 || p.get(i) > p.get(best)) {
                    best = i;
                }
                int group = -1;
                for (int g = 0; g < groups.size() && group < 0; g++) {
                    if (extractor.equivalent(groups.get(g), answers.get(i).get())) {
                        group = g;
                    }
                }
                if (group < 0) {
                    groups.add(answers.get(i).get());
                    sums.add(0.0);
                    sizes.add(0);
                    group = groups.size() - 1;
                }
                sums.set(group, sums.get(group) + p.get(i));
                sizes.set(group, sizes.get(group) + 1);
            }
            oracle += any ? 1 : 0;
            if (best >= 0 && extractor.equivalent(answers.get(best).get(), gold)) {
                bestOfN++;
            }
            int winner = -1;
            for (int g = 0; g < groups.size(); g++) {
                if (winner < 0 || sums.get(g) > sums.get(winner)) {
                    winner = g;
                }
            }
            if (winner >= 0 && extractor.equivalent(groups.get(winner), gold)) {
                voted++;
            }
            if (byAgreement != null) {
                int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
                byAgreement.computeIfAbsent(VerifierProvenance.agreementClass(largest, chains.size()),
                        name -> new Tally(false)).add(chains, answers, p, gold, extractor);
            }
        }

        VerifierProvenance.Figures figures() {
            double n = Math.max(1, questions);
            return new VerifierProvenance.Figures(questions, round(bestOfN / n), round(voted / n),
                    round(sourceAccuracy(bestSource())), round(oracle / n));
        }

        /**
         * The figures per agreement class, most agreement first, over questions each added {@code passes} times
         * (once per repeat of the cross-validation); the best single source is the one best over all classes.
         */
        Map<String, VerifierProvenance.Figures> figuresByAgreement(int passes) {
            String bestSource = bestSource();
            Map<String, VerifierProvenance.Figures> figures = new LinkedHashMap<>();
            byAgreement.entrySet().stream()
                    .sorted(Comparator.comparingInt((Map.Entry<String, Tally> e) -> agreementRank(e.getKey()))
                            .reversed())
                    .forEach(e -> {
                        Tally tally = e.getValue();
                        double n = Math.max(1, tally.questions);
                        figures.put(e.getKey(), new VerifierProvenance.Figures(tally.questions / passes,
                                round(tally.bestOfN / n), round(tally.voted / n),
                                round(tally.sourceAccuracy(bestSource)), round(tally.oracle / n)));
                    });
            return figures;
        }

        /** The source whose chains are most often right (the first on a tie); empty without chains. */
        private String bestSource() {
            String best = "";
            for (String source : bySource.keySet()) {
                if (best.isEmpty() || sourceAccuracy(source) > sourceAccuracy(best)) {
                    best = source;
                }
            }
            return best;
        }

        /**
         * The share of {@code source}'s chains that are right: with one chain per question, its accuracy; with several
         * samples per question, the accuracy of one sample.
         */
        private double sourceAccuracy(String source) {
            int[] count = bySource.get(source);
            return count == null || count[1] == 0 ? 0 : count[0] / (double) count[1];
        }

        private static int agreementRank(String agreementClass) {
            return switch (agreementClass) {
                case "all_agree" -> Integer.MAX_VALUE;
                case "all_differ" -> 0;
                default -> Integer.parseInt(agreementClass.substring("largest_group_".length()));
            };
        }
    }

    /** Builds a {@link VerifierTrainer}. Not thread-safe. */
    public static final class Builder {
        private long seed = 42;
        private double heldOutFraction = 0.2;
        private int folds = 5;
        private int repeats = 3;
        private List<String> featureSets;
        private double[] l2Grid = {1, 0.1, 0.01, 0.001, 0.0001};
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private SentenceEncoder encoder;

        private Builder() {
        }

        /** The seed of the held-out shuffle (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The fraction of questions held out, in (0, 1) (default 0.2).
         *
         * @throws IllegalArgumentException if out of range
         */
        public Builder heldOutFraction(double heldOutFraction) {
            this.heldOutFraction = Arguments.openUnit(heldOutFraction, "heldOutFraction");
            return this;
        }

        /**
         * Cross-validation folds (default 5).
         *
         * @throws IllegalArgumentException if below 2
         */
        public Builder folds(int folds) {
            this.folds = Arguments.atLeast(folds, 2, "folds");
            return this;
        }

        /**
         * Cross-validation repeats (default 3).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder repeats(int repeats) {
            this.repeats = Arguments.atLeast(repeats, 1, "repeats");
            return this;
        }

        /**
         * The feature sets to choose from, simplest first (e.g. {@code chain}, {@code chain+agreement}).
         *
         * @throws IllegalArgumentException if empty or a set does not parse
         */
        public Builder featureSets(List<String> featureSets) {
            if (Objects.requireNonNull(featureSets, "featureSets").isEmpty()) {
                throw new IllegalArgumentException("featureSets is empty");
            }
            featureSets.forEach(Feature::parseSet);
            this.featureSets = List.copyOf(featureSets);
            return this;
        }

        /**
         * The L2 penalties to choose from, strongest first (default {1, 0.1, 0.01, 0.001, 0.0001}).
         *
         * @throws IllegalArgumentException if empty or a value is negative or not finite
         */
        public Builder l2Grid(double... l2Grid) {
            this.l2Grid = Arguments.nonNegativeGrid(l2Grid, "l2Grid");
            return this;
        }

        /** How answers are read and compared with the gold answer (default numeric). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** The encoder of the embedding features (default none: no embedding candidates). */
        public Builder encoder(SentenceEncoder encoder) {
            this.encoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /**
         * @throws IllegalArgumentException if a feature set reads embeddings and no encoder was given
         */
        public VerifierTrainer build() {
            if (encoder == null && featureSets != null && featureSets.stream()
                    .anyMatch(set -> Feature.parseSet(set).stream().anyMatch(f -> f.group().equals("embedding")))) {
                throw new IllegalArgumentException("feature sets " + featureSets + " read embeddings: give an encoder");
            }
            return new VerifierTrainer(this);
        }
    }
}
