package dev.reasoningsdk.examples.cli;

import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.RetryAfterHttpClientBuilder;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote chat model for one CLI run: the one place where (provider, base URL, model, API key) become a LangChain4j
 * {@link ChatModel}, with the run's call budget in front of it and {@link ChatModelSampler}s over it.
 *
 * <p>openai: LangChain4j's {@code OpenAiChatModel} with its retries at zero and on a
 * {@link RetryAfterHttpClientBuilder} (the sampler retries and honours Retry-After); seeds go out as OpenAI's
 * {@code seed}. ollama: {@link OllamaChatModels}. The HTTP timeout is the call timeout. The budget
 * ({@code --max-calls}) is counted here, before a request is sent: a call beyond it throws LangChain4j's
 * {@link NonRetriableException} without reaching the server, so the server never sees more than the budget.
 */
final class RemoteModel implements AutoCloseable {

    private final ModelEndpoint endpoint;
    private final BudgetedChatModel model;
    private final List<ChatModelSampler> samplers = new ArrayList<>();

    RemoteModel(ModelEndpoint endpoint) {
        if (!endpoint.isRemote()) {
            throw new IllegalArgumentException("not a remote model: " + endpoint);
        }
        this.endpoint = endpoint;
        this.model = new BudgetedChatModel(chatModel(endpoint), endpoint.maxCalls());
    }

    /** The provider's LangChain4j model, without the budget. */
    static ChatModel chatModel(ModelEndpoint endpoint) {
        return switch (endpoint.provider()) {
            case OPENAI -> OpenAiChatModel.builder().baseUrl(endpoint.baseUrl()).apiKey(endpoint.apiKey())
                    .modelName(endpoint.model()).timeout(endpoint.callTimeout()).maxRetries(0)
                    .httpClientBuilder(new RetryAfterHttpClientBuilder()).build();
            case OLLAMA -> OllamaChatModels.builder().baseUrl(endpoint.baseUrl()).modelName(endpoint.model())
                    .timeout(endpoint.callTimeout()).build();
            case LOCAL -> throw new IllegalArgumentException("not a remote model: " + endpoint);
        };
    }

    /** Request parameters that send each sample's temperature and seed as the provider takes them. */
    static SampleRequestParameters seeded(ModelEndpoint endpoint) {
        return switch (endpoint.provider()) {
            case OPENAI -> (index, temperature, seed) -> OpenAiChatRequestParameters.builder()
                    .temperature(temperature.isPresent() ? temperature.getAsDouble() : null)
                    .seed((int) seed)
                    .build();
            case OLLAMA -> OllamaChatModels.seeded();
            case LOCAL -> throw new IllegalArgumentException("not a remote model: " + endpoint);
        };
    }

    /** The model with the run's budget in front. */
    ChatModel chatModel() {
        return model;
    }

    /** A sampler over the budgeted model at {@code temperature}, closed with this object. */
    synchronized ChatModelSampler sampler(double temperature) {
        ChatModelSampler sampler = ChatModelSampler.builder().model(model).name(endpoint.model())
                .callTimeout(endpoint.callTimeout()).requestParameters(seeded(endpoint)).temperature(temperature)
                .build();
        samplers.add(sampler);
        return sampler;
    }

    /** Whether the run's call budget is spent. */
    boolean budgetSpent() {
        return model.maxCalls > 0 && model.sent.get() >= model.maxCalls;
    }

    /**
     * The endpoint and what the run cost: {@code usage} as the techniques counted it (every attempt a model call,
     * failed ones among them), and as counted in front of the server: calls sent, calls refused by the budget.
     */
    BenchReport describe(Usage usage) {
        return endpoint.describe().put("usage", BenchReport.usage(usage).put("calls_sent", model.sent.get())
                .put("calls_refused_by_budget", model.refused.get()));
    }

    @Override
    public synchronized void close() {
        samplers.forEach(ChatModelSampler::close);
        samplers.clear();
    }

    /** Counts calls and refuses those beyond the budget before they are sent. */
    private static final class BudgetedChatModel implements ChatModel {
        private final ChatModel delegate;
        private final int maxCalls;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger refused = new AtomicInteger();

        BudgetedChatModel(ChatModel delegate, int maxCalls) {
            this.delegate = delegate;
            this.maxCalls = maxCalls;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            if (maxCalls > 0 && sent.incrementAndGet() > maxCalls) {
                sent.decrementAndGet();
                refused.incrementAndGet();
                throw new NonRetriableException("the run's call budget of " + maxCalls + " (--max-calls) is spent");
            }
            if (maxCalls == 0) {
                sent.incrementAndGet();
            }
            return delegate.chat(request);
        }

        @Override
        public ChatRequestParameters defaultRequestParameters() {
            return delegate.defaultRequestParameters();
        }

        @Override
        public Set<Capability> supportedCapabilities() {
            return delegate.supportedCapabilities();
        }
    }
}
