package dev.reasoningsdk.api.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A prompt's hidden state at its last token together with the number of tokens the forward pass read
 * ({@link CausalLanguageModel#promptHiddenStateWithTokens}), so that work which reports what it cost (a process
 * reward's forward passes, say) tokenizes the prompt once rather than again to count it.
 *
 * @param state        the hidden state, as {@link CausalLanguageModel#promptHiddenState(String, int)} returns it
 * @param promptTokens the tokens the pass read, counted as {@link CausalLanguageModel#promptTokenCount} counts them;
 *                     empty when the model does not say
 */
public record PromptHiddenState(float[] state, OptionalInt promptTokens) {

    /**
     * Copies the state, so that a caller changing its array afterwards cannot change this value.
     *
     * @throws NullPointerException     if {@code state} or {@code promptTokens} is null
     * @throws IllegalArgumentException if {@code promptTokens} is negative
     */
    public PromptHiddenState {
        state = Objects.requireNonNull(state, "state").clone();
        Objects.requireNonNull(promptTokens, "promptTokens");
        if (promptTokens.isPresent() && promptTokens.getAsInt() < 0) {
            throw new IllegalArgumentException("promptTokens must be >= 0, was " + promptTokens.getAsInt());
        }
    }

    /** A copy of the state. */
    @Override
    public float[] state() {
        return state.clone();
    }

    /** Equal when the states are, compared by content, and the token counts are. */
    @Override
    public boolean equals(Object other) {
        return other instanceof PromptHiddenState p && Arrays.equals(state, p.state)
                && promptTokens.equals(p.promptTokens);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(state) + promptTokens.hashCode();
    }

    @Override
    public String toString() {
        return "PromptHiddenState[state=" + state.length + " values, promptTokens=" + promptTokens + "]";
    }
}
