package dev.reasoningsdk.api.model;

/**
 * Decoding settings for {@link CausalLanguageModel#generate}.
 *
 * @param temperature  0 means greedy (argmax); otherwise logits are divided by it before sampling
 * @param topP         nucleus sampling mass in (0, 1]; 1 disables it
 * @param topK         keep only the k most likely tokens; 0 disables it
 * @param maxNewTokens stop after this many generated tokens (the context length also stops generation)
 * @param seed         seeds the sampler: the same seed, prompt and options give the same output
 * @param topLogProbs  how many of the most likely tokens to report at each generated position
 *                     ({@link Generation#tokens()}' alternatives, OpenAI's {@code top_logprobs}); 0 (the default)
 *                     reports none. Never changes what is sampled.
 */
public record GenerationOptions(double temperature, double topP, int topK, int maxNewTokens, long seed,
                                int topLogProbs) {

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public GenerationOptions {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, was " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, was " + topK);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
        }
        if (topLogProbs < 0) {
            throw new IllegalArgumentException("topLogProbs must be >= 0, was " + topLogProbs);
        }
    }

    /**
     * Settings that report no top log-probabilities ({@code topLogProbs} 0).
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public GenerationOptions(double temperature, double topP, int topK, int maxNewTokens, long seed) {
        this(temperature, topP, topK, maxNewTokens, seed, 0);
    }

    /** Greedy decoding of up to {@code maxNewTokens}. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(0, 1, 0, maxNewTokens, 0);
    }

    /** Plain temperature sampling with a seed. */
    public static GenerationOptions sampling(double temperature, int maxNewTokens, long seed) {
        return new GenerationOptions(temperature, 1, 0, maxNewTokens, seed);
    }

    /** These settings with another seed. */
    public GenerationOptions withSeed(long seed) {
        return new GenerationOptions(temperature, topP, topK, maxNewTokens, seed, topLogProbs);
    }

    /**
     * These settings reporting the {@code topLogProbs} most likely tokens at each generated position.
     *
     * @throws IllegalArgumentException if {@code topLogProbs} is negative
     */
    public GenerationOptions withTopLogProbs(int topLogProbs) {
        return new GenerationOptions(temperature, topP, topK, maxNewTokens, seed, topLogProbs);
    }
}
