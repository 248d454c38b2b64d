package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.internal.Arguments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;

/**
 * A {@link ChainSampler} over a local {@link CausalLanguageModel}: the N samples of a prompt are decoded together
 * in one batch (one forward pass per token for all of them), which is what makes self-consistency, aggregation and
 * sampling-based confidence affordable offline. Sample {@code i} uses seed {@code firstSeed + i}, exactly as if it
 * had been drawn alone, so drawing more samples later continues the sequence.
 *
 * <p>The prompt is the user's text (e.g. the question); {@link Builder#promptFormat} turns it into the model's
 * input. A batch the model cannot run (a character outside its vocabulary, a prompt longer than its context) is
 * returned with every sample as a {@link SampleBatch.FailureKind#PERMANENT} failure rather than thrown, like a
 * remote model's bad request; an empty answer is a {@link SampleBatch.FailureKind#GARBAGE} failure, which carries the
 * tokens decoded for it (white space, or an end of sequence at once). A generation
 * that stopped at {@code maxTokens} or at the model's context rather than at its end-of-sequence token has not reached
 * its answer: it is a {@link SampleBatch.FailureKind#TRUNCATED} failure, left out of every vote and counted in
 * {@link SampleBatch#truncatedSamples()}, unless {@link Builder#keepTruncated(boolean) keepTruncated(true)}; its
 * tokens still count in the usage, and the failure carries them ({@link SampleBatch.SampleFailure#outputTokens()}).
 *
 * <p>A sample's text is the whole generated text: a reasoning model's {@code <think>} block included (Qwen3's
 * template leaves thinking on), from which the shipped answer extractors do not read the answer.
 *
 * <p>Each sample carries its generated tokens ({@link SampleBatch.Sample#tokenLogProbs()}: {@link Generation#tokens()},
 * each token's text and log-probability under the unmodified distribution), so white-box scorers read them exactly
 * as they read a remote model's; the same seed gives the same tokens and log-probabilities as a
 * {@code ChatModelSampler} over {@code LocalOpenAiServer} serving the same model. They cover the generated text
 * before it is stripped, so they spell it with its leading space. A model that reports no token texts gives
 * log-probabilities with empty token texts.
 *
 * <p>Defaults: temperature 0.8, top-p 1, top-k 0 (off), max tokens = the model's context, prompt format the model's
 * own ({@link CausalLanguageModel#formatPrompt}: for the tiny reasoner {@code Q: <question>\nA:}), name = the model id.
 * Thread-safe; does not own the model.
 */
public final class LocalModelSampler implements ChainSampler {

    private final CausalLanguageModel model;
    private final UnaryOperator<String> promptFormat;
    private final double temperature;
    private final double topP;
    private final int topK;
    private final int maxTokens;
    private final String name;
    private final boolean keepTruncated;

    private LocalModelSampler(Builder builder) {
        this.model = builder.model;
        this.promptFormat = builder.promptFormatOrModels();
        this.temperature = builder.temperature;
        this.topP = builder.topP;
        this.topK = builder.topK;
        this.maxTokens = builder.maxTokensOrContext();
        this.name = builder.name == null ? builder.model.modelId() : builder.name;
        this.keepTruncated = builder.keepTruncated;
    }

    /** A builder; {@link Builder#model} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A sampler over {@code model} with every default. */
    public static LocalModelSampler of(CausalLanguageModel model) {
        return builder().model(model).build();
    }

    /** The temperature every sample is drawn at (default 0.8). */
    @Override
    public OptionalDouble temperature() {
        return OptionalDouble.of(temperature);
    }

    @Override
    public SampleBatch sample(String prompt, int count, long firstSeed) {
        Objects.requireNonNull(prompt, "prompt");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        long start = System.nanoTime();
        List<Generation> generations;
        try {
            generations = model.generate(promptFormat.apply(prompt), count,
                    new GenerationOptions(temperature, topP, topK, maxTokens, firstSeed));
        } catch (IllegalArgumentException e) {
            List<SampleBatch.SampleFailure> failures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                failures.add(new SampleBatch.SampleFailure(i, SampleBatch.FailureKind.PERMANENT, e.getMessage(), 1));
            }
            return new SampleBatch(count, List.of(), failures, StopReason.COMPLETED,
                    new Usage(0, 1, 1, 0, 0, elapsed(start)));
        }
        List<SampleBatch.Sample> samples = new ArrayList<>(count);
        List<SampleBatch.SampleFailure> failures = new ArrayList<>();
        long inputTokens = 0;
        long outputTokens = 0;
        for (int i = 0; i < generations.size(); i++) {
            Generation generation = generations.get(i);
            inputTokens += generation.promptTokens();
            outputTokens += generation.tokenIds().length;
            String text = generation.text().strip();
            if (text.isEmpty()) {
                // Its tokens were decoded (and are in the usage) though they hold no text: the failure carries them.
                failures.add(new SampleBatch.SampleFailure(i, SampleBatch.FailureKind.GARBAGE,
                        "the model produced no text (" + generation.finishReason() + ")", 1, generation.promptTokens(),
                        generation.tokenIds().length));
            } else if (!keepTruncated && generation.finishReason() != Generation.FinishReason.END_OF_SEQUENCE) {
                failures.add(new SampleBatch.SampleFailure(i, SampleBatch.FailureKind.TRUNCATED,
                        "cut off at the token limit (" + generation.finishReason() + ") after "
                                + generation.tokenIds().length + " tokens", 1, generation.promptTokens(),
                        generation.tokenIds().length));
            } else {
                samples.add(new SampleBatch.Sample(i, text, generation.promptTokens(), generation.tokenIds().length,
                        1, tokenLogProbs(generation)));
            }
        }
        // One batched decode is one model call; it failed only if nothing usable came out of it.
        Usage usage = new Usage(samples.size(), 1, samples.isEmpty() ? 1 : 0, inputTokens, outputTokens,
                elapsed(start));
        return new SampleBatch(count, samples, failures, StopReason.COMPLETED, usage);
    }

    @Override
    public String name() {
        return name;
    }

    private static List<TokenLogProb> tokenLogProbs(Generation generation) {
        if (!generation.tokens().isEmpty()) {
            return generation.tokens();
        }
        float[] logProbs = generation.tokenLogProbs();
        List<TokenLogProb> tokens = new ArrayList<>(logProbs.length);
        for (float logProb : logProbs) {
            // A float log-softmax of the top token can round to a hair above 0; it is a probability of 1.
            tokens.add(TokenLogProb.of("", Math.min(0.0, logProb)));
        }
        return tokens;
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Builds a {@link LocalModelSampler}; setters validate at once (shared with {@link LocalCausalLmChatModel}). */
    public static final class Builder extends SamplingSettings<Builder> {
        private String name;
        private boolean keepTruncated;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The source name of the chains; default the model id.
         *
         * @throws IllegalArgumentException if blank: a chain's source names where it came from
         */
        public Builder name(String name) {
            this.name = Arguments.notBlank(name, "name");
            return this;
        }

        /**
         * Whether a generation cut off at the token limit ({@code MAX_NEW_TOKENS}, or the context length) is kept as
         * a sample (default false: it is a {@link SampleBatch.FailureKind#TRUNCATED} failure, so it does not vote),
         * as {@code ChatModelSampler.Builder.keepTruncated} does for a reply with finish reason {@code length}.
         */
        public Builder keepTruncated(boolean keepTruncated) {
            this.keepTruncated = keepTruncated;
            return this;
        }

        /** @throws IllegalStateException if no model was set */
        public LocalModelSampler build() {
            checkModel();
            return new LocalModelSampler(this);
        }
    }
}
