package dev.reasoningsdk.impl.llm;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link ChatModel} decorator's base: default request parameters, capabilities and provider are the delegate's,
 * so a decorator (a cache, a log-probability translator, a call budget) overrides only {@code doChat} and stays
 * indistinguishable from its delegate to code that inspects the model. Subclasses call the delegate's
 * {@code chat} (with its listeners) or {@code doChat} as they need.
 */
public abstract class ForwardingChatModel implements ChatModel {

    private final ChatModel delegate;

    /** @throws NullPointerException if {@code delegate} is null */
    protected ForwardingChatModel(ChatModel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The decorated model. */
    protected ChatModel delegate() {
        return delegate;
    }

    /** The delegate's. */
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    /** The delegate's. */
    @Override
    public Set<Capability> supportedCapabilities() {
        return delegate.supportedCapabilities();
    }

    /** The delegate's. */
    @Override
    public ModelProvider provider() {
        return delegate.provider();
    }
}
