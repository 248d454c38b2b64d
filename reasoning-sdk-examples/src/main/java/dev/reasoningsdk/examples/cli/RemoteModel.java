package dev.reasoningsdk.examples.cli;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.examples.cli.ModelOptions.Provider;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.ForwardingChatModel;
import dev.reasoningsdk.impl.llm.LlmCallException;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.openai.OpenAiChatModels;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A remote chat model for one CLI run: the one place where (provider, base URL, model, API key) become a LangChain4j
 * {@link ChatModel}, with the run's call budget in front of it and {@link ChatModelSampler}s over it.
 *
 * <p>openai: {@link OpenAiChatModels} (LangChain4j's {@code OpenAiChatModel} with its retries at zero, Retry-After
 * kept for the gateway, every call asking for token log-probabilities with the {@code --top-logprobs} most likely
 * alternatives (default 20, OpenAI's limit), which the white-box parts of the benches read); seeds go out as OpenAI's
 * {@code seed}, one per sample ({@link OpenAiChatModels#seeded()}). ollama: {@link OllamaChatModels}. The HTTP timeout
 * is the call timeout. The budget ({@code --max-calls}) is counted here, before a request is sent: a call beyond it
 * throws {@link BudgetExhaustedException} without reaching the server, so the server never sees more than the budget,
 * and the gateway takes it as a spent budget ({@code budget_exhausted}, not a failed model call). With {@code --cache}
 * ({@link CacheOption}) the LM-call cache sits in front of the budget: a replayed reply is no call and spends none of
 * it.
 *
 * <p>A Hugging Face export folder ({@code --provider local --model DIR}) goes the same way: {@link #inProcess} serves
 * the loaded model with {@link LocalOpenAiServer} on loopback, as {@code reasoning serve --model DIR} does, and every
 * call goes to it through the openai client above, so its figures are those of the served folder by construction
 * (chat template, continuation of a final assistant message, seeds, token usage and log-probabilities included).
 */
final class RemoteModel implements AutoCloseable {

    /** The longest the up-front connect may take before the run goes on without its verdict. */
    private static final Duration REACHABILITY_TIMEOUT = Duration.ofSeconds(10);

    private final ModelEndpoint endpoint;
    /** Where the calls go: {@link #endpoint} itself, or for an export folder its loopback server as openai. */
    private final ModelEndpoint calls;
    /** The loopback server of an export folder, else null. */
    private final LocalOpenAiServer loopback;
    private final BudgetedChatModel budgeted;
    private final ChatModel model;
    private final ModelGateway gateway;
    private final List<ChatModelSampler> samplers = new ArrayList<>();

    RemoteModel(ModelEndpoint endpoint) {
        this(endpoint, null);
    }

    /**
     * The model of {@code endpoint}, behind {@code cache} when it is given and enabled ({@code --cache}).
     *
     * @throws IllegalArgumentException if {@code endpoint} is not remote ({@link #chatModel(ModelEndpoint)} says so)
     */
    RemoteModel(ModelEndpoint endpoint, CacheOption cache) {
        this(endpoint, cache, null);
    }

    private RemoteModel(ModelEndpoint endpoint, CacheOption cache, LocalOpenAiServer loopback) {
        this.endpoint = endpoint;
        this.loopback = loopback;
        // The loopback server is reached exactly as --provider openai --base-url URL --model NAME reaches it.
        this.calls = loopback == null ? endpoint : new ModelEndpoint(Provider.OPENAI, loopback.baseUrl(),
                loopback.modelName(), "none", endpoint.maxCalls(), endpoint.callTimeout(), endpoint.topLogprobs());
        this.budgeted = new BudgetedChatModel(chatModel(calls), endpoint.maxCalls());
        // A served model's empty reply is more often a glitch than its answer: not stored. In process it is the
        // model's real answer, stored so the replay is exact.
        this.model = cache == null ? budgeted : cache.wrap(budgeted, loopback != null);
        this.gateway = ModelGateway.builder().model(model).name(endpoint.model()).callTimeout(endpoint.callTimeout())
                .build();
    }

    /**
     * The served model of {@code endpoint}: a remote one ({@link #RemoteModel(ModelEndpoint, CacheOption)}), or an
     * export folder loaded as {@code folderModel} ({@link #inProcess}).
     *
     * @param folderModel the folder's loaded model for {@code --model DIR}; ignored for a remote endpoint
     * @throws IllegalArgumentException if {@code endpoint} is neither remote nor an export folder
     */
    static RemoteModel open(ModelEndpoint endpoint, HuggingFaceOnnxModel folderModel, CacheOption cache) {
        return endpoint.isFolder() ? inProcess(endpoint, folderModel, cache) : new RemoteModel(endpoint, cache);
    }

    /**
     * The export folder of {@code endpoint}, loaded as {@code model}, served on loopback in this process as
     * {@code reasoning serve --model DIR} serves it ({@link LocalOpenAiServer}'s defaults, under the model's id) and
     * called through the openai client; the server stops with this object, the model stays the caller's.
     *
     * @throws IllegalArgumentException if {@code endpoint} is not an export folder, or {@code model} is not named
     *                                  as it
     */
    private static RemoteModel inProcess(ModelEndpoint endpoint, HuggingFaceOnnxModel model, CacheOption cache) {
        if (!endpoint.isFolder() || !endpoint.model().equals(model.modelId())) {
            throw new IllegalArgumentException("not the export folder's model: " + endpoint + ", " + model.modelId());
        }
        LocalOpenAiServer server = LocalOpenAiServer.start(model);
        try {
            return new RemoteModel(endpoint, cache, server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The provider's LangChain4j model, without the budget. */
    static ChatModel chatModel(ModelEndpoint endpoint) {
        return switch (endpoint.provider()) {
            case OPENAI -> OpenAiChatModels.builder().baseUrl(endpoint.baseUrl()).apiKey(endpoint.apiKey())
                    .modelName(endpoint.model()).callTimeout(endpoint.callTimeout())
                    .topLogprobs(endpoint.topLogprobs()).build();
            case OLLAMA -> OllamaChatModels.builder().baseUrl(endpoint.baseUrl()).modelName(endpoint.model())
                    .callTimeout(endpoint.callTimeout()).build();
            case LOCAL -> throw new IllegalArgumentException("not a remote model: " + endpoint);
        };
    }

    /** Request parameters that send each sample's temperature and seed as the provider takes them. */
    static SampleRequestParameters seeded(ModelEndpoint endpoint) {
        return switch (endpoint.provider()) {
            case OPENAI -> OpenAiChatModels.seeded();
            case OLLAMA -> OllamaChatModels.seeded();
            case LOCAL -> throw new IllegalArgumentException("not a remote model: " + endpoint);
        };
    }

    /**
     * Request parameters for step search's calls, which continue a partial chain as a final assistant message: each
     * row's seed and temperature, and for OpenAI-compatible servers vLLM's {@code continue_final_message} (which
     * {@code reasoning serve} also takes; OpenAI's own API refuses it, so each such call fails and is counted).
     * Ollama's chat API continues a final assistant message as it is.
     */
    static SampleRequestParameters continuing(ModelEndpoint endpoint) {
        return switch (endpoint.provider()) {
            case OPENAI -> OpenAiChatModels.continuingFinalMessage();
            case OLLAMA -> OllamaChatModels.seeded();
            case LOCAL -> throw new IllegalArgumentException("not a remote model: " + endpoint);
        };
    }

    /** {@link #continuing(ModelEndpoint)} of where this run's calls go. */
    SampleRequestParameters continuing() {
        return continuing(calls);
    }

    /** The model with the run's budget in front, and the cache in front of that with {@code --cache}. */
    ChatModel chatModel() {
        return model;
    }

    /**
     * The run's one protected path to the model (call timeout {@code --call-timeout}, the SDK's retry policy), shared
     * by every sampler and technique of the run so its in-flight limit holds across them; closed with this object.
     */
    ModelGateway gateway() {
        return gateway;
    }

    /** A sampler over the run's gateway at {@code temperature}, closed with this object. */
    synchronized ChatModelSampler sampler(double temperature) {
        return sampler(temperature, OptionalInt.empty());
    }

    /**
     * {@link #sampler(double, OptionalInt)} with the cap of {@code --max-tokens} as the option holds it (null when
     * not given).
     */
    ChatModelSampler sampler(double temperature, Integer maxTokens) {
        return sampler(temperature, maxTokens == null ? OptionalInt.empty() : OptionalInt.of(maxTokens));
    }

    /**
     * A sampler over the run's gateway at {@code temperature} whose every sample asks for at most {@code maxTokens}
     * generated tokens, when given: the request's {@code maxOutputTokens} (OpenAI's {@code max_tokens}, Ollama's
     * {@code num_predict}), where the server cuts the sample, which then counts as truncated as a local model's sample
     * cut at its {@code maxTokens} does. Per request rather than the provider's default, so the run's other calls (an
     * LLM judge's) keep the server's length. Closed with this object.
     */
    synchronized ChatModelSampler sampler(double temperature, OptionalInt maxTokens) {
        SampleRequestParameters seeded = seeded(calls);
        SampleRequestParameters parameters = seeded;
        if (maxTokens.isPresent()) {
            ChatRequestParameters cap = ChatRequestParameters.builder().maxOutputTokens(maxTokens.getAsInt())
                    .build();
            parameters = (index, sampleTemperature, seed) -> seeded.forSample(index, sampleTemperature, seed)
                    .overrideWith(cap);
        }
        ChatModelSampler sampler = ChatModelSampler.builder().gateway(gateway).name(endpoint.model())
                .requestParameters(parameters).temperature(temperature).build();
        samplers.add(sampler);
        return sampler;
    }

    /**
     * Whether the run should start nothing new: its call budget is spent, or the endpoint refused every call so far
     * as it refuses a wrong URL, model or key, or could not be connected to at all ({@link #describe} then says
     * which).
     */
    boolean shouldStop() {
        return budgeted.maxCalls > 0 && budgeted.sent.get() >= budgeted.maxCalls || budgeted.misconfigured() != null;
    }

    /**
     * The endpoint and what the run cost: {@code usage} as the techniques counted it (every attempt a model call,
     * failed ones among them), and as counted in front of the server: calls sent, calls refused by the budget.
     *
     * @throws IllegalArgumentException if the endpoint answered none of the run's calls and refused them as it
     *                                  refuses a wrong URL, model or key (401, 403, 404), could not be connected to,
     *                                  or refused the request itself as a client error (another 4xx but 408 and 429,
     *                                  e.g. 400 for a {@code --max-tokens} over the server's limit): the message is
     *                                  one line carrying the server's reply
     */
    BenchReport describe(Usage usage) {
        String misconfigured = budgeted.misconfigured();
        String refusal = misconfigured != null ? misconfigured : budgeted.refusedAsClientError();
        if (refusal != null) {
            // Every figure of such a run would describe the endpoint's error page, not the model: bad input. A
            // refusal other than 401, 403 or 404 (400 "max_tokens must be in [1, 320]") names what the user asked.
            throw new IllegalArgumentException("no call to " + endpoint.baseUrl() + " (model '" + endpoint.model()
                    + "') was answered: " + refusal + (misconfigured != null
                    ? "; check --base-url, --model and the API key"
                    : "; the server refused the request itself: check the options its reply names"));
        }
        return endpoint.describe().put("usage", BenchReport.usage(usage).put("calls_sent", budgeted.sent.get())
                .put("calls_refused_by_budget", budgeted.refused.get()));
    }

    /**
     * {@link #describe}, for a run whose result means something only if the model gave something usable: refuses
     * first a run in which it gave nothing, every call counted in {@code usage} failed (a 5xx, a timeout, a reply
     * with no usable answer) and none was replayed from {@code --cache}, as {@code solve} refuses a run that sampled
     * no chain. Such a run's figures describe the failures, not the model: an accuracy of 0, or UAR's default.
     *
     * @param result what the command would have printed, for the message ("the verdict would be ...")
     * @throws IllegalArgumentException as {@link #describe} does, for an endpoint that refused the run as misconfigured
     * @throws ReasoningException       (exit 1) if every call failed: one line naming the endpoint, the calls and
     *                                  their failures by kind; retryable when some failure was transient
     */
    BenchReport describeUsable(Usage usage, String result) {
        BenchReport described = describe(usage);
        if (usage.cacheHits() == 0 && usage.modelCalls() > 0 && usage.failedCalls() >= usage.modelCalls()) {
            boolean transientFailure = usage.failuresByKind().keySet().stream().anyMatch(CallFailure::isTransient);
            throw new ReasoningException(result + ": no usable reply from " + endpoint.baseUrl() + " (model '"
                    + endpoint.model() + "'); all " + usage.modelCalls() + " calls failed " + usage.failuresByKind(),
                    null, transientFailure, usage);
        }
        return described;
    }

    /**
     * Refuses, before a command does any other work, an endpoint that nothing can be connected to: no server at the
     * port, no route, or a host name that does not resolve. Without this a live bench ran its whole offline half
     * (minutes, with progress on stderr) and {@code judge} loaded its local models before the first call found the
     * endpoint dead. The check is one TCP connect to the base URL's host and port (or to the proxy the JDK's default
     * {@link ProxySelector} names for it, which the provider's HTTP client would use too), the cheapest one that is
     * honest for both providers: nothing is sent, so no call is spent or counted. A connect that times out proves
     * nothing (a slow network) and lets the run go on, as does {@code --cache}, whose replay may need no server at all.
     *
     * @param cache the command's {@code --cache}, or null for a command without one
     * @throws IllegalArgumentException naming {@code --base-url} and why nothing could be connected to
     */
    static void requireReachable(ModelEndpoint endpoint, CacheOption cache) {
        if (!endpoint.isRemote() || cache != null && cache.enabled()) {
            return;
        }
        URI uri = URI.create(endpoint.baseUrl());
        Optional<InetSocketAddress> proxy = proxy(uri);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        // Resolved here; a name that does not resolve stays unresolved and connect() throws UnknownHostException.
        InetSocketAddress target = proxy.orElseGet(() -> new InetSocketAddress(uri.getHost(), port));
        // Bounded below the call timeout: a host that drops packets would otherwise hold the run for the whole of it.
        int timeoutMillis = (int) Math.min(endpoint.callTimeout().toMillis(), REACHABILITY_TIMEOUT.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(target, Math.max(1, timeoutMillis));
        } catch (IOException failed) {
            unreachable(failed).ifPresent(why -> {
                throw new IllegalArgumentException("--base-url " + endpoint.baseUrl()
                        + proxy.map(address -> " (through the proxy " + address.getHostString() + ":"
                        + address.getPort() + ")").orElse("") + ": " + why);
            });
        }
    }

    /** The HTTP proxy the JDK's default selector names for {@code uri}, which the provider's client would use. */
    private static Optional<InetSocketAddress> proxy(URI uri) {
        ProxySelector proxies = ProxySelector.getDefault();
        if (proxies != null) {
            for (Proxy proxy : proxies.select(uri)) {
                if (proxy.type() == Proxy.Type.HTTP && proxy.address() instanceof InetSocketAddress address) {
                    // The selector names it unresolved; connect() needs it resolved (or finds it does not resolve).
                    return Optional.of(new InetSocketAddress(address.getHostString(), address.getPort()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Why no connection could be made, when {@code failed} (or a cause of it) says so: no listener, no route or no
     * such host; the phrase both the up-front check and a run's first failed calls report. A host name that does
     * not resolve is an {@link UnknownHostException} to a socket but an {@link UnresolvedAddressException} under
     * the JDK HTTP client, which LangChain4j rethrows without the {@code ConnectException} around it.
     */
    private static Optional<String> unreachable(Throwable failed) {
        return LlmCallException.causeMatching(failed, cause -> cause instanceof ConnectException
                        || cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException
                        || cause instanceof NoRouteToHostException)
                .map(cause -> "could not connect (" + cause.getClass().getSimpleName()
                        + (cause.getMessage() != null ? ": " + cause.getMessage() : "")
                        + "): is a server running there?");
    }

    @Override
    public synchronized void close() {
        samplers.forEach(ChatModelSampler::close);
        samplers.clear();
        gateway.close();
        if (loopback != null) {
            loopback.close();
        }
    }

    /**
     * Counts calls and refuses those beyond the budget before they are sent; notes an endpoint that refuses the run's
     * first calls with 401, 403 or 404, which no retry or later call will change, or that cannot be connected to (no
     * server at the port, or a host name that does not resolve), and apart from those one that refuses them as
     * another client error (a 400 for a {@code max_tokens} over its limit), which the same request meets again. A
     * server that answers a later attempt clears the notes: only a run in which nothing was answered stops. Only
     * the first note stops a run early ({@link #shouldStop}): a client error may be one question's (a prompt over
     * the context) while the next fits.
     */
    private static final class BudgetedChatModel extends ForwardingChatModel {
        private static final Set<Integer> MISCONFIGURED = Set.of(401, 403, 404);
        private final int maxCalls;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger refused = new AtomicInteger();
        private final AtomicInteger answered = new AtomicInteger();
        private final AtomicReference<String> firstRefusal = new AtomicReference<>();
        private final AtomicReference<String> firstClientError = new AtomicReference<>();

        BudgetedChatModel(ChatModel delegate, int maxCalls) {
            super(delegate);
            this.maxCalls = maxCalls;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            if (maxCalls > 0 && sent.incrementAndGet() > maxCalls) {
                sent.decrementAndGet();
                refused.incrementAndGet();
                throw new BudgetExhaustedException("the run's call budget of " + maxCalls + " (--max-calls) is spent",
                        Usage.NONE);
            }
            if (maxCalls == 0) {
                sent.incrementAndGet();
            }
            try {
                ChatResponse response = delegate().chat(request);
                answered.incrementAndGet();
                return response;
            } catch (RuntimeException failed) {
                LlmCallException classified = LlmCallException.classify(failed);
                int status = classified.statusCode().orElse(0);
                if (answered.get() == 0 && MISCONFIGURED.contains(status)) {
                    firstRefusal.compareAndSet(null, refusal(status, classified));
                } else if (answered.get() == 0 && classified.failure() == CallFailure.CLIENT_ERROR) {
                    firstClientError.compareAndSet(null, refusal(status, classified));
                } else if (answered.get() == 0) {
                    unreachable(failed).ifPresent(why -> firstRefusal.compareAndSet(null, why));
                }
                throw failed;
            }
        }

        /** The endpoint's refusal when it refused a call and answered none; null otherwise. */
        String misconfigured() {
            return answered.get() == 0 ? firstRefusal.get() : null;
        }

        /** The endpoint's first refusal as another client error when it answered no call; null otherwise. */
        String refusedAsClientError() {
            return answered.get() == 0 ? firstClientError.get() : null;
        }

        /** The status and the server's reply on one line, as the command's one line on stderr carries it. */
        private static String refusal(int status, LlmCallException classified) {
            String reply = String.valueOf(classified.getMessage()).replaceAll("\\s+", " ").strip();
            return (status > 0 ? "HTTP " + status + ", " : "") + reply;
        }
    }
}
