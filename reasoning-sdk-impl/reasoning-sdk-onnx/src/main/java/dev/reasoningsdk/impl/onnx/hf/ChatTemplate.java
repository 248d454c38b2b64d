package dev.reasoningsdk.impl.onnx.hf;

import dev.reasoningsdk.impl.onnx.hf.internal.HuggingFaceJinja;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face chat template (the Jinja {@code chat_template} of {@code tokenizer_config.json}) rendered as
 * {@code transformers}' {@code apply_chat_template(messages, tokenize=False, ...)} renders it: the variables
 * {@code messages}, {@code add_generation_prompt}, {@code tools} and {@code documents} (none unless given), the
 * tokenizer's special tokens ({@code bos_token}, {@code eos_token}...), and any extra variables such as
 * {@code enable_thinking}; jinja2 with {@code trim_blocks} and {@code lstrip_blocks}, the loop controls,
 * {@code raise_exception}, {@code strftime_now}, and {@code tojson} as Python's {@code json.dumps}. Real templates
 * also use Python string methods, {@code namespace(...)} and {@code [::-1]}; all of it is supported (on Jinjava,
 * with Hugging Face's extensions added).
 *
 * <p>Immutable and thread-safe. The template is parsed at {@link Builder#build()}, so a malformed one fails there.
 */
public final class ChatTemplate {

    private static final HuggingFaceJinja ENGINE = new HuggingFaceJinja();

    private final String source;
    private final Map<String, Object> specialTokens;
    private final Clock clock;

    private ChatTemplate(Builder builder) {
        this.source = builder.source;
        this.specialTokens = Map.copyOf(builder.specialTokens);
        this.clock = builder.clock;
    }

    /**
     * A template with no special-token variables and the system clock.
     *
     * @throws IllegalArgumentException naming the line and the error if the template does not parse
     */
    public static ChatTemplate of(String source) {
        return builder().template(source).build();
    }

    /** A builder; {@link Builder#template} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@link #render(List, boolean, Map)} with no extra variables. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation.
     *
     * @param addGenerationPrompt end with the prompt that opens the assistant's turn
     * @param variables           extra template variables ({@code enable_thinking}, {@code tools},
     *                            {@code documents}...); they override the special tokens, as keyword arguments do
     *                            in {@code apply_chat_template}
     * @throws IllegalArgumentException with the template's own message when it calls {@code raise_exception} (the
     *                                  conversation breaks its rules, e.g. roles that do not alternate), or naming
     *                                  the error when rendering fails
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(variables, "variables");
        Map<String, Object> bindings = new LinkedHashMap<>(specialTokens);
        bindings.put("tools", null);
        bindings.put("documents", null);
        bindings.putAll(variables);
        bindings.put("messages", messages.stream().map(m -> Objects.requireNonNull(m, "message").toMap()).toList());
        bindings.put("add_generation_prompt", addGenerationPrompt);
        try {
            return ENGINE.render(source, bindings, clock);
        } catch (HuggingFaceJinja.TemplateException e) {
            throw new IllegalArgumentException((e.raisedByTemplate() ? "the chat template refused the conversation: "
                    : "the chat template failed: ") + e.getMessage(), e);
        }
    }

    /** The template's Jinja source. */
    public String source() {
        return source;
    }

    /** The special-token variables it renders with ({@code bos_token}, {@code eos_token}...). */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }

    /** Builds a {@link ChatTemplate}; every setter rejects null. */
    public static final class Builder {
        private String source;
        private final Map<String, Object> specialTokens = new LinkedHashMap<>();
        private Clock clock = Clock.systemDefaultZone();

        private Builder() {
        }

        /** The Jinja source. */
        public Builder template(String source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * A special-token variable, e.g. {@code ("bos_token", "<s>")}, or
         * {@code ("additional_special_tokens", List.of(...))}.
         */
        public Builder specialToken(String name, Object value) {
            specialTokens.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** What {@code strftime_now} reads; default the system clock in the default time zone. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalStateException    if no template was set
         * @throws IllegalArgumentException naming the line and the error if the template does not parse
         */
        public ChatTemplate build() {
            if (source == null) {
                throw new IllegalStateException("template is required");
            }
            try {
                ENGINE.check(source);
            } catch (HuggingFaceJinja.TemplateException e) {
                throw new IllegalArgumentException("the chat template does not parse: " + e.getMessage(), e);
            }
            return new ChatTemplate(this);
        }
    }
}
