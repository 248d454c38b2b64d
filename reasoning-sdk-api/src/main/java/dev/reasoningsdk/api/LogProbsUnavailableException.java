package dev.reasoningsdk.api;

import java.util.Objects;

/**
 * A technique needs token log-probabilities that the model did not return: a served model whose server ignores
 * OpenAI's {@code logprobs} (or {@code top_logprobs}), a model built without asking for them, or chains that carry
 * none. Thrown instead of scoring without them, so a white-box score is never silently replaced by a wrong one. Not
 * retryable: the same model answers the same way; build it with log-probabilities on, or choose another technique.
 */
public class LogProbsUnavailableException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    private final String model;
    private final String missing;

    /**
     * @param model   the model (or chain source) that returned none, e.g. {@code "gpt-4o-mini"}
     * @param missing what was missing and who needed it, e.g. {@code "token log-probabilities (logprobs) of the
     *                greedy response, needed by token_probability"}
     */
    public LogProbsUnavailableException(String model, String missing) {
        this(model, missing, Usage.NONE);
    }

    /**
     * For a technique that called the model before it found the log-probabilities missing.
     *
     * @param model   the model (or chain source) that returned none
     * @param missing what was missing and who needed it
     * @param usage   what the technique spent before it refused (the calls whose replies lacked them included)
     * @throws NullPointerException if an argument is null
     */
    public LogProbsUnavailableException(String model, String missing, Usage usage) {
        super(Objects.requireNonNull(model, "model") + " returned no " + Objects.requireNonNull(missing, "missing")
                + "; ask the model for log-probabilities (OpenAI's logprobs and top_logprobs) or use a technique "
                + "that does not need them", null, false, usage);
        this.model = model;
        this.missing = missing;
    }

    /** The model or chain source that returned no log-probabilities. */
    public String model() {
        return model;
    }

    /** What was missing, and who needed it. */
    public String missing() {
        return missing;
    }
}
