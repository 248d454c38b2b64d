package dev.reasoningsdk.api;

import java.util.Objects;

/**
 * A technique that keeps an exact budget of generated tokens needs each reply's token usage, and the served model
 * reported none: step search over a gateway counts the tokens each reply reports, so without them its budget could
 * not be kept. Thrown instead of guessing, so a budget is never silently exceeded. Not retryable: the same server
 * answers the same way; use a server that reports usage, or a technique without a token budget.
 */
public class TokenUsageUnavailableException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    private final String model;

    /**
     * @param model  the model that reported no token usage
     * @param needed who needed it, and why, e.g. {@code "step search counts each reply's generated tokens to keep
     *               its budget of 1024 tokens exact"}
     */
    public TokenUsageUnavailableException(String model, String needed) {
        this(model, needed, Usage.NONE);
    }

    /**
     * For a technique that called the model before it found the token usage missing.
     *
     * @param model  the model that reported no token usage
     * @param needed who needed it, and why
     * @param usage  what the technique spent before it refused (the calls whose replies lacked it included, their
     *               tokens {@link Usage#UNKNOWN_TOKENS})
     * @throws NullPointerException if an argument is null
     */
    public TokenUsageUnavailableException(String model, String needed, Usage usage) {
        super("model " + Objects.requireNonNull(model, "model") + " returned no token usage: "
                + Objects.requireNonNull(needed, "needed"), null, false, usage);
        this.model = model;
    }

    /** The model that reported no token usage. */
    public String model() {
        return model;
    }
}
