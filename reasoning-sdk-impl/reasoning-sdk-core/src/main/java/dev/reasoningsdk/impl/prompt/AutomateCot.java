package dev.reasoningsdk.impl.prompt;

import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ModelGateway;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Automate-CoT (Shum et al., 2023, "Automatic Prompt Augmentation and Selection with Chain-of-Thought from Labeled
 * Data"): <em>augment</em> each labelled question with a model-written rationale (zero-shot chain of thought),
 * <em>prune</em> rationales whose answer is wrong, and <em>select</em> an exemplar combination with the
 * variance-reduced policy gradient. Each of {@code exemplars} slots holds a categorical distribution over the
 * pruned pool (uniform at first); each step samples {@code samplesPerStep} combinations (I), scores each on a random
 * validation question (loss 1 if the answer is wrong, 0 if right), estimates the gradient of the expected loss as
 * {@code 1/(I-1) sum_i (L_i - mean L) grad log p(combination_i)}, clips its norm per slot, takes a step and
 * projects each slot back onto the probability simplex. The result takes each slot's most probable exemplar
 * (distinct across slots). Defaults: 4 exemplars, I = {@value #DEFAULT_SAMPLES}, {@value #DEFAULT_STEPS} steps,
 * learning rate {@value #DEFAULT_LEARNING_RATE}, clip {@value #DEFAULT_CLIP}, seed 0. Every call goes through a
 * {@link ModelGateway} (default: one over the model, with its default limits); one {@link #run} is one scope of it, so
 * the gateway's call, token and time budget bounds the whole run, and failed calls count as wrong answers.
 * A reasoning model's think blocks ({@link ThinkBlocks}) are neither its rationale nor its answer: an exemplar keeps
 * the text outside them, answers are read from it, and a reply cut off while thinking is a wrong answer.
 * Thread-safe when the model is.
 */
public final class AutomateCot {

    /** Combinations sampled per step (I). */
    public static final int DEFAULT_SAMPLES = 5;
    /** Policy-gradient steps. */
    public static final int DEFAULT_STEPS = 10;
    /** Step size. */
    public static final double DEFAULT_LEARNING_RATE = 0.1;
    /** Gradient norm clip per slot. */
    public static final double DEFAULT_CLIP = 3.0;
    private final ModelGateway gateway;
    private final AnswerExtractor extractor;
    private final int exemplars;
    private final int samplesPerStep;
    private final int steps;
    private final double learningRate;
    private final double clip;
    private final long seed;

    private AutomateCot(Builder builder) {
        this.gateway = ChatCalls.gateway(builder.model, builder.gateway);
        this.extractor = builder.extractor;
        this.exemplars = builder.exemplars;
        this.samplesPerStep = builder.samplesPerStep;
        this.steps = builder.steps;
        this.learningRate = builder.learningRate;
        this.clip = builder.clip;
        this.seed = builder.seed;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs augment, prune and select.
     *
     * @param pool       labelled questions to write exemplars from
     * @param validation labelled questions the selection is scored on
     * @throws IllegalArgumentException if either list is empty
     */
    public Result run(List<LabeledQuestion> pool, List<LabeledQuestion> validation) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(validation, "validation");
        if (pool.isEmpty() || validation.isEmpty()) {
            throw new IllegalArgumentException("pool and validation must not be empty");
        }
        Usage usage = Usage.NONE;
        CallScope scope = gateway.session();
        List<Exemplar> kept = new ArrayList<>();
        for (LabeledQuestion question : pool) {
            ChatCalls.Reply reply = ChatCalls.sample(scope, augmentPrompt(question.question()));
            usage = usage.plus(reply.usage());
            // A reasoning model's thinking is not its rationale: pasted into every later prompt, it would teach the
            // model to answer with another model's scratch work. A reply cut off while thinking has no rationale.
            Optional<String> rationale = reply.ok()
                    ? ThinkBlocks.answerText(reply.text()).map(String::strip) : Optional.empty();
            // A rationale beyond the reply window is a degenerate reply (megabytes of filler before the answer):
            // kept as an exemplar, it would be pasted into every later prompt.
            if (rationale.isPresent() && rationale.get().length() <= ReplyWindow.MAX_CHARS
                    && correct(rationale.get(), question.answer())) {
                kept.add(new Exemplar(question.question(), rationale.get(), question.answer()));
            }
        }
        if (kept.isEmpty()) {
            return new Result(List.of(), kept, pool.size(), List.of(), usage);
        }
        int slots = Math.min(exemplars, kept.size());
        double[][] probabilities = new double[slots][kept.size()];
        for (double[] slot : probabilities) {
            Arrays.fill(slot, 1.0 / kept.size());
        }
        SearchRandom random = new SearchRandom(seed);
        List<Double> meanLoss = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            int[][] combinations = new int[samplesPerStep][slots];
            double[] losses = new double[samplesPerStep];
            for (int i = 0; i < samplesPerStep; i++) {
                for (int j = 0; j < slots; j++) {
                    combinations[i][j] = draw(probabilities[j], random);
                }
                LabeledQuestion target = validation.get(random.nextInt(validation.size()));
                ChatCalls.Reply reply = ChatCalls.sample(scope, fewShotPrompt(pick(kept, combinations[i]),
                        target.question()));
                usage = usage.plus(reply.usage());
                losses[i] = reply.ok() && correct(reply.text(), target.answer()) ? 0 : 1;
            }
            double mean = Arrays.stream(losses).average().orElse(0);
            meanLoss.add(mean);
            for (int j = 0; j < slots; j++) {
                double[] gradient = new double[kept.size()];
                for (int i = 0; i < samplesPerStep; i++) {
                    int chosen = combinations[i][j];
                    gradient[chosen] += (losses[i] - mean) / probabilities[j][chosen] / (samplesPerStep - 1);
                }
                clipNorm(gradient, clip);
                for (int k = 0; k < gradient.length; k++) {
                    probabilities[j][k] -= learningRate * gradient[k];
                }
                probabilities[j] = projectOntoSimplex(probabilities[j]);
            }
        }
        return new Result(pick(kept, mostProbable(probabilities)), kept, pool.size(), meanLoss, usage);
    }

    /** The augmentation request for one question (zero-shot chain of thought). */
    String augmentPrompt(String question) {
        return "Q: " + question + "\nA: Let's think step by step. End with \"The answer is <answer>.\"";
    }

    /** The few-shot request: exemplars, then the question. */
    static String fewShotPrompt(List<Exemplar> shots, String question) {
        StringBuilder prompt = new StringBuilder();
        for (Exemplar shot : shots) {
            prompt.append("Q: ").append(shot.question()).append("\nA: ").append(shot.rationale()).append("\n\n");
        }
        return prompt.append("Q: ").append(question).append("\nA:").toString();
    }

    /** Euclidean projection onto the probability simplex (Duchi et al., 2008): sort, find the threshold, shift. */
    static double[] projectOntoSimplex(double[] vector) {
        double[] sorted = vector.clone();
        Arrays.sort(sorted);
        double cumulative = 0;
        double theta = 0;
        for (int i = sorted.length - 1, rho = 1; i >= 0; i--, rho++) {
            cumulative += sorted[i];
            double candidate = (cumulative - 1) / rho;
            if (sorted[i] - candidate > 0) {
                theta = candidate;
            }
        }
        double[] projected = new double[vector.length];
        for (int i = 0; i < vector.length; i++) {
            projected[i] = Math.max(vector[i] - theta, 0);
        }
        return projected;
    }

    private boolean correct(String response, String gold) {
        Optional<String> answer = ThinkBlocks.answerText(response).flatMap(extractor::extract);
        String normalisedGold = extractor.extract("The answer is " + gold + ".").orElse(gold);
        return answer.isPresent() && extractor.equivalent(answer.get(), normalisedGold);
    }

    private static int draw(double[] probabilities, SearchRandom random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int k = 0; k < probabilities.length; k++) {
            cumulative += probabilities[k];
            if (u < cumulative) {
                return k;
            }
        }
        return probabilities.length - 1;
    }

    private static void clipNorm(double[] gradient, double maxNorm) {
        double norm = Math.sqrt(Arrays.stream(gradient).map(g -> g * g).sum());
        if (norm > maxNorm) {
            for (int k = 0; k < gradient.length; k++) {
                gradient[k] *= maxNorm / norm;
            }
        }
    }

    private static int[] mostProbable(double[][] probabilities) {
        int[] chosen = new int[probabilities.length];
        boolean[] used = new boolean[probabilities[0].length];
        for (int j = 0; j < probabilities.length; j++) {
            int best = -1;
            for (int k = 0; k < probabilities[j].length; k++) {
                if (!used[k] && (best < 0 || probabilities[j][k] > probabilities[j][best])) {
                    best = k;
                }
            }
            used[best] = true;
            chosen[j] = best;
        }
        return chosen;
    }

    private static List<Exemplar> pick(List<Exemplar> pool, int[] indices) {
        List<Exemplar> shots = new ArrayList<>(indices.length);
        for (int index : indices) {
            shots.add(pool.get(index));
        }
        return shots;
    }

    /**
     * A labelled question.
     *
     * @param question the question
     * @param answer   its gold answer
     */
    public record LabeledQuestion(String question, String answer) {
        /** @throws NullPointerException if an argument is null */
        public LabeledQuestion {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(answer, "answer");
        }
    }

    /**
     * A chain-of-thought exemplar.
     *
     * @param question  the question
     * @param rationale the model's rationale (ending with its answer)
     * @param answer    the gold answer it reaches
     */
    public record Exemplar(String question, String rationale, String answer) {
        /** @throws NullPointerException if an argument is null */
        public Exemplar {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(rationale, "rationale");
            Objects.requireNonNull(answer, "answer");
        }
    }

    /**
     * The outcome.
     *
     * @param selected   the chosen exemplars, one per slot (empty if no rationale survived pruning)
     * @param candidates the exemplars that survived pruning
     * @param augmented  questions given to the augmentation stage
     * @param meanLoss   the mean sampled loss of each step
     * @param usage      all calls
     */
    public record Result(List<Exemplar> selected, List<Exemplar> candidates, int augmented, List<Double> meanLoss,
                         Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public Result {
            selected = List.copyOf(selected);
            candidates = List.copyOf(candidates);
            meanLoss = List.copyOf(meanLoss);
            Objects.requireNonNull(usage, "usage");
        }

        /** The selected exemplars as a few-shot prefix for {@code question}. */
        public String prompt(String question) {
            return fewShotPrompt(selected, question);
        }
    }

    /** Builds {@link AutomateCot}; every setter validates at once. */
    public static final class Builder {
        private ChatModel model;
        private ModelGateway gateway;
        private AnswerExtractor extractor;
        private int exemplars = 4;
        private int samplesPerStep = DEFAULT_SAMPLES;
        private int steps = DEFAULT_STEPS;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private double clip = DEFAULT_CLIP;
        private long seed;

        private Builder() {
        }

        /** The model that writes rationales and answers (this or {@link #gateway} is required). */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The gateway the model is called through (default: a gateway over {@link #model} with its defaults). */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** Reads answers (required). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** Exemplar slots, at least 1 (default 4). */
        public Builder exemplars(int exemplars) {
            this.exemplars = Arguments.atLeast(exemplars, 1, "exemplars");
            return this;
        }

        /** Combinations per step (I), at least 2 for the variance-reduced estimate (default 5). */
        public Builder samplesPerStep(int samples) {
            if (samples < 2) {
                throw new IllegalArgumentException("samplesPerStep must be >= 2, was " + samples);
            }
            this.samplesPerStep = samples;
            return this;
        }

        /** Steps, at least 1 (default 10). */
        public Builder steps(int steps) {
            this.steps = Arguments.atLeast(steps, 1, "steps");
            return this;
        }

        /**
         * Learning rate, finite and positive (default 0.1).
         *
         * @throws IllegalArgumentException if not finite and > 0 (an infinite rate turns every step into NaN)
         */
        public Builder learningRate(double rate) {
            this.learningRate = Arguments.positive(rate, "learningRate");
            return this;
        }

        /**
         * Gradient norm clip, finite and positive (default 3).
         *
         * @throws IllegalArgumentException if not finite and > 0
         */
        public Builder clip(double clip) {
            this.clip = Arguments.positive(clip, "clip");
            return this;
        }

        /** Seed of the sampling (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The selector.
         *
         * @throws IllegalStateException if the model (or gateway) or the extractor is missing
         */
        public AutomateCot build() {
            if ((model == null && gateway == null) || extractor == null) {
                throw new IllegalStateException("model (or gateway) and extractor are required");
            }
            return new AutomateCot(this);
        }
    }
}
