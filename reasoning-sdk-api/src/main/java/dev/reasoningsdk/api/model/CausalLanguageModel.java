package dev.reasoningsdk.api.model;

import java.util.List;

/**
 * A local decoder-only language model with white-box access: batched sampling with per-token log-probabilities,
 * the scoring of a given continuation, and the prompt's final hidden state. The LangChain4j {@code ChatModel}
 * adapter, the likelihood chain scorer, token-probability confidence and UAR's self-knowledge head all stand on it.
 *
 * <p>Implementations are thread-safe and {@link AutoCloseable}; closing twice is harmless.
 */
public interface CausalLanguageModel extends AutoCloseable {

    /**
     * Samples {@code count} continuations of one prompt, decoded together as one batch.
     *
     * @throws IllegalArgumentException if the prompt holds characters outside the vocabulary or is too long
     */
    List<Generation> generate(String prompt, int count, GenerationOptions options);

    /**
     * The model's prompt for a user's text: its prompt format or chat template. Samplers and chat models over a
     * local model use it unless given a format of their own. Default: the text unchanged.
     */
    default String formatPrompt(String userText) {
        return userText;
    }

    /**
     * The log-probability of each token of {@code continuation} after {@code prompt}, in one forward pass.
     *
     * @return one natural-log probability per continuation token
     */
    float[] continuationLogProbs(String prompt, String continuation);

    /** The final-layer hidden state at the prompt's last token (the input of the output head). */
    float[] promptHiddenState(String prompt);

    /** Hidden states for a batch of prompts; one vector per prompt, in order. */
    default List<float[]> promptHiddenStates(List<String> prompts) {
        return prompts.stream().map(this::promptHiddenState).toList();
    }

    /** The most tokens a sequence may hold, prompt included. */
    int contextLength();

    /** A stable id of the model, e.g. {@code "tiny-reasoner@1"}. */
    String modelId();

    @Override
    void close();
}
