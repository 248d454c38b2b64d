package dev.reasoningsdk.api.model;

import java.util.List;
import java.util.OptionalInt;

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
     * Samples {@code count} continuations of each prompt: prompt {@code i} exactly as
     * {@code generate(prompts.get(i), count, options.withSeed(options.seed() + i))} would. A local model decodes
     * them together, prompts of different lengths in one padded batch; the default calls {@link #generate} once per
     * prompt.
     *
     * @return {@code count} generations per prompt, in the prompts' order
     * @throws IllegalArgumentException as {@link #generate(String, int, GenerationOptions)} does for any prompt
     */
    default List<List<Generation>> generate(List<String> prompts, int count, GenerationOptions options) {
        List<List<Generation>> all = new java.util.ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            all.add(generate(prompts.get(i), count, options.withSeed(options.seed() + i)));
        }
        return all;
    }

    /**
     * The model's prompt for a user's text: its prompt format or chat template. Samplers and chat models over a
     * local model use it unless given a format of their own. Default: the text unchanged.
     */
    default String formatPrompt(String userText) {
        return userText;
    }

    /**
     * The model's prompt for a conversation: its chat template where it has one. The default, for a model without
     * a chat template, continues one text the way the model was prompted in-process: the first user turn goes
     * through {@link #formatPrompt} (system turns before it are put in front of its text, each followed by a
     * newline), each later assistant turn is appended as is, and each later user turn is appended after a newline.
     * So {@code [user q]} renders as {@code formatPrompt(q)}, and {@code [user q, assistant r, user s]} as
     * {@code formatPrompt(q) + r + "\n" + s}, which is how R-Tuning's question follows an answer
     * ({@code TokenProbabilityConfidence}). A conversation ending with an assistant turn is continued by the model.
     *
     * @throws IllegalArgumentException if there is no user turn, an assistant turn comes before the first user
     *                                  turn, or a system turn comes after it
     */
    default String formatConversation(List<ChatTurn> turns) {
        StringBuilder system = new StringBuilder();
        StringBuilder prompt = null;
        for (int i = 0; i < turns.size(); i++) {
            ChatTurn turn = turns.get(i);
            switch (turn.role()) {
                case SYSTEM -> {
                    if (prompt != null) {
                        throw new IllegalArgumentException("turn " + i + ": a system turn must come before the "
                                + "first user turn");
                    }
                    system.append(turn.text()).append('\n');
                }
                case USER -> prompt = prompt == null
                        ? new StringBuilder(formatPrompt(system + turn.text()))
                        : prompt.append('\n').append(turn.text());
                case ASSISTANT -> {
                    if (prompt == null) {
                        throw new IllegalArgumentException("turn " + i + ": an assistant turn must follow a user "
                                + "turn");
                    }
                    prompt.append(turn.text());
                }
            }
        }
        if (prompt == null) {
            throw new IllegalArgumentException("the conversation has no user turn");
        }
        return prompt.toString();
    }

    /**
     * The log-probability of each token of {@code continuation} after {@code prompt}, in one forward pass.
     *
     * @return one natural-log probability per continuation token
     */
    float[] continuationLogProbs(String prompt, String continuation);

    /** The final-layer hidden state at the prompt's last token (the input of the output head). */
    float[] promptHiddenState(String prompt);

    /**
     * One layer's hidden state at the prompt's last token, numbered as Hugging Face {@code transformers} numbers
     * {@code hidden_states}: 0 the token embeddings, {@code i} the output of decoder layer {@code i}, the last (also
     * -1) the final state {@link #promptHiddenState(String)} returns; negative numbers count from the end. Default:
     * the final state only.
     *
     * @throws UnsupportedOperationException if the model does not read that layer
     */
    default float[] promptHiddenState(String prompt, int layer) {
        if (layer == -1) {
            return promptHiddenState(prompt);
        }
        throw new UnsupportedOperationException(modelId() + " reads only the final hidden state (layer -1), not "
                + "layer " + layer);
    }

    /**
     * {@link #promptHiddenState(String, int)} with the number of tokens the pass read, for work that reports its
     * input tokens: a model that tokenizes the prompt for the pass counts it there, once. Default: the two calls,
     * {@code promptHiddenState(prompt, layer)} and {@link #promptTokenCount(String)}, so the count is the same and a
     * model that does not count says so (empty).
     *
     * @throws UnsupportedOperationException as {@link #promptHiddenState(String, int)}
     * @throws IllegalArgumentException      if the prompt holds characters outside the vocabulary, or as
     *                                       {@link #promptHiddenState(String, int)}
     */
    default PromptHiddenState promptHiddenStateWithTokens(String prompt, int layer) {
        return new PromptHiddenState(promptHiddenState(prompt, layer), promptTokenCount(prompt));
    }

    /** Hidden states for a batch of prompts; one vector per prompt, in order. */
    default List<float[]> promptHiddenStates(List<String> prompts) {
        return prompts.stream().map(this::promptHiddenState).toList();
    }

    /**
     * How many tokens the model reads for {@code prompt}, counted as {@link Generation#promptTokens()} counts them
     * (special tokens the model adds included), so that work that only reads a prompt (a hidden state, a scored
     * continuation) can report its input tokens. Default: empty, the model does not say; callers then report the
     * tokens as unknown.
     *
     * @throws IllegalArgumentException if the prompt holds characters outside the vocabulary
     */
    default OptionalInt promptTokenCount(String prompt) {
        return OptionalInt.empty();
    }

    /** The most tokens a sequence may hold, prompt included. */
    int contextLength();

    /** A stable id of the model, e.g. {@code "tiny-reasoner@1"}. */
    String modelId();

    @Override
    void close();
}
