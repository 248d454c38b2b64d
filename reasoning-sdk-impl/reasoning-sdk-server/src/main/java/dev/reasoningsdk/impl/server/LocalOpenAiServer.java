package dev.reasoningsdk.impl.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.relay.internal.ClientRelay;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat-completions server over an in-process {@link CausalLanguageModel} (the embedded tiny
 * reasoner, or any other implementation), on the JDK's HTTP server. Applications point their LangChain4j
 * {@code OpenAiChatModel} at {@link #baseUrl()} and test their wiring offline against a real model:
 *
 * <pre>{@code
 * try (CausalLanguageModel model = TinyReasoner.create();
 *      LocalOpenAiServer server = LocalOpenAiServer.start(model)) {
 *     ChatModel chat = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
 *             .modelName(server.modelName()).seed(42).build();
 * }
 * }</pre>
 *
 * <p>Endpoints: {@code GET /v1/models}, {@code GET /v1/models/{name}} and {@code POST /v1/chat/completions} with
 * {@code messages} (system, developer, user and assistant turns of text), {@code n}, {@code seed},
 * {@code temperature} (default 1, as OpenAI's; 0 is greedy), {@code top_p}, {@code max_tokens} or
 * {@code max_completion_tokens}, {@code logprobs} and {@code top_logprobs} (0-20 as OpenAI's, more with
 * {@link Builder#maxTopLogprobs}), {@code stop} (up to 4 sequences),
 * {@code stream} with {@code stream_options.include_usage}, and vLLM's {@code continue_final_message} with
 * {@code add_generation_prompt: false} (a conversation ending with an assistant message is continued exactly, from
 * its last character, as step search asks); the reply carries {@code usage} and each choice's
 * {@code finish_reason}. The request's {@code model} must be {@link #modelName()}, as OpenAI and vLLM require: a
 * request without one is a 400 naming {@code model}, any other name a 404 with OpenAI's error body (code
 * {@code model_not_found}, param {@code model}), so an application that misspells its model name fails against
 * this server as it would in production (serve under the production name with {@link Builder#modelName}). Tools,
 * structured output, penalties and logit bias are refused with a 400 naming the field, never silently ignored;
 * messages that leave no room in the model's context are a 400 with OpenAI's code {@code context_length_exceeded}
 * (param {@code messages}; the message names the context and the prompt's tokens), which step search reads as a chain
 * cut off at the context; any other bad field is a 400 with OpenAI's error body naming it, a body over
 * {@link Builder#maxRequestBytes} a 413, an unknown path a 404; a 500 means the model itself failed.
 *
 * <p>Ollama's chat API over the same model: {@code POST /api/chat} (point LangChain4j's {@code OllamaChatModel} at
 * {@link #ollamaBaseUrl()}, the server's root), with {@code GET /api/tags} listing the model and
 * {@code GET /api/version}. Its request ({@code OllamaChatRequest}: {@code options} {@code temperature},
 * {@code top_p}, {@code top_k}, {@code seed}, {@code num_predict}, {@code stop}; absent ones mean what they mean on
 * the OpenAI endpoint) is generated on the same path as a chat completion with {@code n} 1, so a seed and temperature
 * give the same text on both wires; the reply carries {@code message.content}, {@code done_reason} {@code stop} or
 * {@code length}, {@code prompt_eval_count} and {@code eval_count}, streamed as Ollama's JSON lines unless the request
 * says {@code "stream": false}. Errors under {@code /api/} are Ollama's {@code {"error": "..."}} with the status the
 * OpenAI endpoint would give (a model other than {@link #modelName()} a 404). As Ollama names models, a name without
 * a tag is its {@code :latest} tag: {@code /api/tags} lists {@code tiny-reasoner@1:latest}, and {@code /api/chat}
 * takes it with or without the tag and echoes the name the request gave.
 *
 * <p>Determinism: the {@code n} choices of a request are decoded as one batch,
 * {@code model.generate(prompt, n, options)} with the request's seed, so choice {@code i} of seed {@code s} is exactly
 * sample {@code i} of {@code LocalModelSampler} with first seed {@code s} (the model draws sample {@code i} with seed
 * {@code s + i}) at the same temperature, top-p and token limit. A request without a seed gets a random one. The
 * prompt is {@link CausalLanguageModel#formatConversation} of the messages: for a single user message,
 * {@code model.formatPrompt(text)}. Content is the model's text exactly (leading white space included), so the
 * {@code logprobs} tokens spell it; log-probabilities are those of the model's temperature-1 distribution whatever the
 * sampling settings ({@link Generation}), and a log-probability of minus infinity is sent as -9999. Streaming sends
 * the finished generation token by token (the batch is decoded first); usage counts every generated token, those
 * past a stop sequence too.
 *
 * <p>A client that goes away (closes or loses its connection, as a client that timed out does) stops its request:
 * the thread waiting for a slot or generating for it is interrupted, which local models honour between decoding
 * steps, so the slot goes to the next request instead of to tokens nobody will read. A model that ignores interrupts
 * finishes as before. The JDK server cannot see a connection close mid-request, so the server's port is a relay in
 * front of it (the JDK server itself listens on a loopback port).
 *
 * <p>Defaults: host 127.0.0.1, an ephemeral port, model name = {@link CausalLanguageModel#modelId()}, concurrency
 * (generations at once; more requests wait) = available processors, at most 64 choices a request, max tokens = the
 * model's context length (also the default of a request), request bodies up to 1 MiB. Thread-safe. Does not own the
 * model; {@link #close()} stops accepting, lets requests in flight finish for up to 10 seconds, then closes every
 * connection (closing twice is harmless).
 */
public final class LocalOpenAiServer implements AutoCloseable {

    private static final String MODELS_PATH = "/v1/models";
    private static final String CHAT_PATH = "/v1/chat/completions";
    /** Ollama's API: its paths, and its error body, are under this prefix. */
    private static final String OLLAMA_PREFIX = "/api/";
    private static final String OLLAMA_CHAT_PATH = "/api/chat";
    private static final String OLLAMA_TAGS_PATH = "/api/tags";
    private static final String OLLAMA_VERSION_PATH = "/api/version";
    /** What {@code GET /api/version} reports: an Ollama version whose chat API this server's follows. */
    private static final String OLLAMA_VERSION = "0.12.0";
    private static final int HANDLER_THREADS = 32;
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** What OpenAI sends for a token it considers impossible; JSON has no infinity. */
    private static final double MIN_LOG_PROB = -9999;
    private static final System.Logger LOG = System.getLogger(LocalOpenAiServer.class.getName());
    /** Strict as a server should be: a key twice, or anything after the object, is a 400, not silently dropped. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final CausalLanguageModel model;
    private final String modelName;
    private final int maxN;
    private final int maxTokens;
    private final int maxRequestBytes;
    private final int maxTopLogprobs;
    private final Semaphore generations;
    private final ThreadPoolExecutor executor;
    private final HttpServer http;
    private final ClientRelay relay;
    private final String baseUrl;
    private final long startedAt = Instant.now().getEpochSecond();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalOpenAiServer(Builder builder) {
        this.model = builder.model;
        this.modelName = builder.modelName != null ? builder.modelName : model.modelId();
        this.maxN = builder.maxN;
        this.maxTokens = builder.maxTokens != null ? builder.maxTokens : model.contextLength();
        this.maxRequestBytes = builder.maxRequestBytes;
        this.maxTopLogprobs = builder.maxTopLogprobs;
        this.generations = new Semaphore(builder.concurrency, true);
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "openai-server-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        try {
            // Clients reach the JDK server only through the relay, which sees a client leave (ClientRelay says why).
            this.relay = ClientRelay.listen(new InetSocketAddress(builder.host, builder.port), "openai-server");
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + builder.host + ":" + builder.port + ": "
                    + e.getMessage(), e);
        }
        this.http = relay.http();
        http.createContext("/", this::handle);
        http.setExecutor(executor);
        http.start();
        InetSocketAddress bound = relay.address();
        InetAddress address = bound.getAddress();
        String host = address.isAnyLocalAddress() ? "127.0.0.1"
                : address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        this.baseUrl = "http://" + host + ":" + bound.getPort() + "/v1";
    }

    /**
     * Serves {@code model} on 127.0.0.1 at an ephemeral port with every default: the one line a test needs.
     *
     * @throws UncheckedIOException if the server cannot listen
     */
    public static LocalOpenAiServer start(CausalLanguageModel model) {
        return builder().model(model).start();
    }

    /** A builder; {@link Builder#model} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The OpenAI base URL clients take, ending in {@code /v1}, e.g. {@code http://127.0.0.1:40123/v1}. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The base URL an Ollama client takes: the server's root, e.g. {@code http://127.0.0.1:40123}. */
    public String ollamaBaseUrl() {
        return baseUrl.substring(0, baseUrl.length() - "/v1".length());
    }

    /** The port the server listens on (the one chosen when the builder asked for 0). */
    public int port() {
        return relay.address().getPort();
    }

    /** The model name {@code /v1/models} lists, replies carry and every request must give as {@code model}. */
    public String modelName() {
        return modelName;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_GRACE_NANOS;
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        relay.close();
        http.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        inFlight.incrementAndGet();
        try {
            if (closed.get()) {
                throw OpenAiError.unavailable("the server is shutting down");
            }
            route(exchange);
        } catch (OpenAiError e) {
            sendError(exchange, e);
        } catch (ClientRelay.ClientGone e) {
            LOG.log(System.Logger.Level.DEBUG, "a client closed its connection before its reply; its generation on "
                    + model.modelId() + " was stopped");
        } catch (IOException e) {
            // The client went away; nothing left to tell it.
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "model " + model.modelId() + " failed on a request", e);
            sendError(exchange, OpenAiError.serverError("the model failed: " + e));
        } finally {
            exchange.close();
            inFlight.decrementAndGet();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String method = exchange.getRequestMethod();
        if (path.equals(CHAT_PATH)) {
            requireMethod(exchange, "POST");
            chat(exchange);
        } else if (path.equals(OLLAMA_CHAT_PATH)) {
            requireMethod(exchange, "POST");
            ollamaChat(exchange);
        } else if (path.equals(OLLAMA_TAGS_PATH)) {
            requireMethod(exchange, "GET");
            ObjectNode tags = JSON.createObjectNode();
            String listed = OllamaChatRequest.taggedName(modelName);
            tags.putArray("models").addObject().put("name", listed).put("model", listed)
                    .put("modified_at", Instant.ofEpochSecond(startedAt).toString());
            send(exchange, 200, tags);
        } else if (path.equals(OLLAMA_VERSION_PATH)) {
            requireMethod(exchange, "GET");
            send(exchange, 200, JSON.createObjectNode().put("version", OLLAMA_VERSION));
        } else if (path.equals(MODELS_PATH)) {
            requireMethod(exchange, "GET");
            ObjectNode list = JSON.createObjectNode().put("object", "list");
            list.putArray("data").add(modelObject());
            send(exchange, 200, list);
        } else if (path.startsWith(MODELS_PATH + "/")) {
            requireMethod(exchange, "GET");
            String name = path.substring(MODELS_PATH.length() + 1);
            if (!name.equals(modelName)) {
                throw OpenAiError.modelNotFound(name, modelName);
            }
            send(exchange, 200, modelObject());
        } else {
            throw OpenAiError.notFound("unknown_url", "Unknown request URL: " + method + " " + path);
        }
    }

    private static void requireMethod(HttpExchange exchange, String method) {
        if (!exchange.getRequestMethod().equals(method)) {
            exchange.getResponseHeaders().set("Allow", method);
            throw OpenAiError.methodNotAllowed(exchange.getRequestMethod() + " is not allowed on "
                    + exchange.getRequestURI().getPath() + "; use " + method);
        }
    }

    private ObjectNode modelObject() {
        return JSON.createObjectNode().put("id", modelName).put("object", "model").put("created", startedAt)
                .put("owned_by", "reasoning-sdk");
    }

    private void chat(HttpExchange exchange) throws IOException {
        JsonNode body = readJson(exchange);
        ChatCompletionRequest request = ChatCompletionRequest.parse(body, modelName, maxN, maxTokens,
                maxTopLogprobs);
        long seed = request.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        GenerationOptions options = new GenerationOptions(request.temperature(), request.topP(), 0,
                request.maxTokens(), seed, request.logprobs() ? request.topLogprobs() : 0);
        List<Generation> batch = generate(exchange, request.turns(), request.n(), options);
        if (request.logprobs() && batch.stream().anyMatch(g -> g.tokens().isEmpty() && g.tokenIds().length > 0)) {
            throw OpenAiError.invalid("logprobs", "the model " + model.modelId() + " does not report token texts, "
                    + "so it cannot return logprobs");
        }
        List<Choice> choices = new ArrayList<>(batch.size());
        long completionTokens = 0;
        for (int i = 0; i < batch.size(); i++) {
            choices.add(Choice.of(i, batch.get(i), request.stop()));
            completionTokens += batch.get(i).tokenIds().length;
        }
        long promptTokens = batch.get(0).promptTokens();
        ObjectNode usage = JSON.createObjectNode().put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens).put("total_tokens", promptTokens + completionTokens);
        Envelope envelope = new Envelope("chatcmpl-" + UUID.randomUUID().toString().replace("-", ""),
                Instant.now().getEpochSecond());
        if (request.stream()) {
            stream(exchange, request, envelope, choices, usage);
            return;
        }
        ObjectNode completion = envelope.node("chat.completion");
        ArrayNode array = completion.putArray("choices");
        for (Choice choice : choices) {
            ObjectNode node = array.addObject().put("index", choice.index());
            node.putObject("message").put("role", "assistant").put("content", choice.text());
            if (request.logprobs()) {
                logprobs(node.putObject("logprobs").putArray("content"), choice.tokens());
            } else {
                node.putNull("logprobs");
            }
            node.put("finish_reason", choice.finishReason());
        }
        completion.set("usage", usage);
        send(exchange, 200, completion);
    }

    /**
     * Ollama's chat: one reply, {@code message.content} with {@code done_reason} ({@code stop} or {@code length}),
     * {@code prompt_eval_count} and {@code eval_count}; streamed as JSON lines (Ollama's default) from the finished
     * generation, one line per token, the last one {@code done} with the counts. Generated as the OpenAI endpoint
     * generates ({@link #generate(HttpExchange, List, int, GenerationOptions)}), so a seed gives the same text on both.
     */
    private void ollamaChat(HttpExchange exchange) throws IOException {
        long began = System.nanoTime();
        OllamaChatRequest request = OllamaChatRequest.parse(readJson(exchange), modelName, maxTokens);
        long seed = request.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        GenerationOptions options = new GenerationOptions(request.temperature(), request.topP(), request.topK(),
                request.maxTokens(), seed);
        Generation generation = generate(exchange, request.turns(), 1, options).get(0);
        Choice choice = Choice.of(0, generation, request.stop());
        if (!request.stream()) {
            send(exchange, 200, ollamaDone(ollamaLine(request.model(), choice.text()), choice, generation, began));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String piece : choice.pieces()) {
            ollamaEvent(out, ollamaLine(request.model(), piece).put("done", false));
        }
        // As Ollama's stream ends: an empty message carrying why it ended and the counts.
        ollamaEvent(out, ollamaDone(ollamaLine(request.model(), ""), choice, generation, began));
    }

    /** Ollama's last line: done, why, and the counts (generated tokens past a stop sequence too, as OpenAI's). */
    private static ObjectNode ollamaDone(ObjectNode line, Choice choice, Generation generation, long began) {
        return line.put("done", true).put("done_reason", choice.finishReason())
                .put("total_duration", System.nanoTime() - began).put("prompt_eval_count", generation.promptTokens())
                .put("eval_count", generation.tokenIds().length);
    }

    /** One line of Ollama's reply: {@code model} is the name the request gave, as Ollama echoes it. */
    private static ObjectNode ollamaLine(String model, String content) {
        ObjectNode line = JSON.createObjectNode().put("model", model).put("created_at", Instant.now().toString());
        line.putObject("message").put("role", "assistant").put("content", content);
        return line;
    }

    private static void ollamaEvent(OutputStream out, ObjectNode line) throws IOException {
        out.write(JSON.writeValueAsBytes(line));
        out.write('\n');
        out.flush();
    }

    /**
     * The one generation path of both wires: renders {@code turns} with the model's chat template and generates
     * {@code n} samples while the client stays connected ({@link #generate(String, int, GenerationOptions)}).
     */
    private List<Generation> generate(HttpExchange exchange, List<ChatTurn> turns, int n, GenerationOptions options) {
        String prompt;
        try {
            prompt = model.formatConversation(turns);
        } catch (IllegalArgumentException e) {
            throw OpenAiError.invalid("messages", e.getMessage());
        }
        return relay.whileConnected(exchange.getRemoteAddress(), () -> generate(prompt, n, options));
    }

    /**
     * Waits for a slot and generates. Runs watched by the relay: a client that goes away interrupts the wait or the
     * decoding, which a local model stops between steps, and the slot is given back at once.
     */
    private List<Generation> generate(String prompt, int n, GenerationOptions options) {
        try {
            generations.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OpenAiError.unavailable("the server is shutting down");
        }
        try {
            return model.generate(prompt, n, options);
        } catch (IllegalArgumentException e) {
            // The model refuses the prompt itself: a prompt over its context, a character outside its vocabulary.
            OptionalInt promptTokens = promptTokens(prompt);
            if (promptTokens.isPresent() && promptTokens.getAsInt() >= model.contextLength()) {
                throw OpenAiError.contextLengthExceeded(promptTokens.getAsInt(), model.contextLength());
            }
            throw OpenAiError.invalid("messages", e.getMessage());
        } finally {
            generations.release();
        }
    }

    /** The model's count of the prompt's tokens; empty when it does not count or cannot encode the prompt. */
    private OptionalInt promptTokens(String prompt) {
        try {
            return model.promptTokenCount(prompt);
        } catch (IllegalArgumentException unencodable) {
            return OptionalInt.empty();
        }
    }

    /**
     * OpenAI's stream: per choice a role chunk, one chunk per token (with its log-probabilities when asked), a chunk
     * with the finish reason; then the usage chunk when asked and {@code [DONE]}.
     */
    private void stream(HttpExchange exchange, ChatCompletionRequest request, Envelope envelope, List<Choice> choices,
                        ObjectNode usage) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (Choice choice : choices) {
            ObjectNode role = JSON.createObjectNode().put("role", "assistant").put("content", "");
            event(out, chunk(request, envelope, choice.index(), role, null, null));
            boolean perToken = choice.pieces().size() == choice.tokens().size();
            for (int i = 0; i < choice.pieces().size(); i++) {
                ObjectNode delta = JSON.createObjectNode().put("content", choice.pieces().get(i));
                List<TokenLogProb> tokens = !request.logprobs() ? null
                        : perToken ? choice.tokens().subList(i, i + 1) : choice.tokens();
                event(out, chunk(request, envelope, choice.index(), delta, tokens, null));
            }
            event(out, chunk(request, envelope, choice.index(), JSON.createObjectNode(), null,
                    choice.finishReason()));
        }
        if (request.includeUsage()) {
            ObjectNode last = envelope.node("chat.completion.chunk");
            last.putArray("choices");
            last.set("usage", usage);
            event(out, last);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private ObjectNode chunk(ChatCompletionRequest request, Envelope envelope, int index, ObjectNode delta,
                             List<TokenLogProb> tokens, String finishReason) {
        ObjectNode chunk = envelope.node("chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", index);
        choice.set("delta", delta);
        if (tokens != null) {
            logprobs(choice.putObject("logprobs").putArray("content"), tokens);
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", finishReason);
        if (request.includeUsage()) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static void event(OutputStream out, ObjectNode chunk) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.UTF_8));
        out.write(JSON.writeValueAsBytes(chunk));
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void logprobs(ArrayNode content, List<TokenLogProb> tokens) {
        for (TokenLogProb token : tokens) {
            ObjectNode entry = tokenNode(content.addObject(), token.token(), token.logProb());
            ArrayNode top = entry.putArray("top_logprobs");
            for (TokenLogProb.Alternative alternative : token.alternatives()) {
                tokenNode(top.addObject(), alternative.token(), alternative.logProb());
            }
        }
    }

    private static ObjectNode tokenNode(ObjectNode node, String token, double logProb) {
        node.put("token", token).put("logprob", Math.max(MIN_LOG_PROB, logProb));
        ArrayNode bytes = node.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return node;
    }

    private JsonNode readJson(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxRequestBytes) {
                    throw OpenAiError.tooLarge(maxRequestBytes);
                }
            } catch (NumberFormatException e) {
                throw OpenAiError.unparsable("Content-Length is not a number: " + declared);
            }
        }
        // A chunked body declares no length: read one byte past the limit to know whether it is over.
        byte[] body = exchange.getRequestBody().readNBytes(maxRequestBytes + 1);
        if (body.length > maxRequestBytes) {
            throw OpenAiError.tooLarge(maxRequestBytes);
        }
        if (body.length == 0) {
            throw OpenAiError.unparsable("the request body is empty; send a JSON object");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw OpenAiError.unparsable("the request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The error in the wire of the path asked: Ollama's {@code {"error": "..."}} under /api/, else OpenAI's. */
    private static void sendError(HttpExchange exchange, OpenAiError error) {
        if (exchange.getResponseCode() != -1) {
            return;  // headers (a stream) already went out: the connection is closed instead
        }
        ObjectNode body = JSON.createObjectNode();
        if (exchange.getRequestURI().getPath().startsWith(OLLAMA_PREFIX)) {
            body.put("error", error.getMessage());
        } else {
            body.putObject("error").put("message", error.getMessage()).put("type", error.type())
                    .put("param", error.param()).put("code", error.code());
        }
        try {
            send(exchange, error.status(), body);
        } catch (IOException e) {
            // The client went away.
        }
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The id and creation time every object of one completion shares. */
    private final class Envelope {
        private final String id;
        private final long created;

        Envelope(String id, long created) {
            this.id = id;
            this.created = created;
        }

        ObjectNode node(String object) {
            return JSON.createObjectNode().put("id", id).put("object", object).put("created", created)
                    .put("model", modelName).put("system_fingerprint", model.modelId());
        }
    }

    /** Builds and starts a {@link LocalOpenAiServer}; setters validate at once. Not thread-safe. */
    public static final class Builder {
        private CausalLanguageModel model;
        private String host = "127.0.0.1";
        private int port;
        private String modelName;
        private int concurrency = Runtime.getRuntime().availableProcessors();
        private int maxN = 64;
        private Integer maxTokens;
        private int maxRequestBytes = 1 << 20;
        private int maxTopLogprobs = ChatCompletionRequest.MAX_TOP_LOGPROBS;

        private Builder() {
        }

        /** The model to serve (required; the server does not close it). */
        public Builder model(CausalLanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The address to listen on; default {@code 127.0.0.1} (only this machine).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder host(String host) {
            this.host = notBlank("host", host);
            return this;
        }

        /**
         * The port; default 0, an ephemeral port ({@link LocalOpenAiServer#port()} tells which).
         *
         * @throws IllegalArgumentException if outside 0..65535
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The name {@code /v1/models} lists, replies carry and requests must give as {@code model} (any other is a
         * 404 {@code model_not_found}); default the model id. Set it to the name an application uses in production
         * (vLLM's {@code --served-model-name}) to test that wiring unchanged.
         *
         * @throws IllegalArgumentException if blank: clients name the model they ask for
         */
        public Builder modelName(String modelName) {
            this.modelName = notBlank("modelName", modelName);
            return this;
        }

        /**
         * Generations run at once (a request's {@code n} choices are one generation); later requests wait. Default:
         * the available processors.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder concurrency(int concurrency) {
            this.concurrency = atLeastOne("concurrency", concurrency);
            return this;
        }

        /**
         * The most choices ({@code n}) one request may ask for; default 64.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxN(int maxN) {
            this.maxN = atLeastOne("maxN", maxN);
            return this;
        }

        /**
         * The most tokens a choice may ask for, and what it gets when it asks for no limit; default the model's
         * context length.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = atLeastOne("maxTokens", maxTokens);
            return this;
        }

        /**
         * The largest request body accepted; larger ones get a 413. Default 1 MiB.
         *
         * @throws IllegalArgumentException if below 1 or at {@link Integer#MAX_VALUE}
         */
        public Builder maxRequestBytes(int maxRequestBytes) {
            if (maxRequestBytes < 1 || maxRequestBytes == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxRequestBytes must be in [1, " + (Integer.MAX_VALUE - 1)
                        + "], was " + maxRequestBytes);
            }
            this.maxRequestBytes = maxRequestBytes;
            return this;
        }

        /**
         * The most alternatives ({@code top_logprobs}) a request may ask for at each position; default OpenAI's 20.
         * More lets a client read tokens the model finds unlikely, e.g. R-Tuning's "sure" and "unsure" after a
         * question the model was not trained on (the whole vocabulary of a small model fits).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxTopLogprobs(int maxTopLogprobs) {
            if (maxTopLogprobs < 0) {
                throw new IllegalArgumentException("maxTopLogprobs must be >= 0, was " + maxTopLogprobs);
            }
            this.maxTopLogprobs = maxTopLogprobs;
            return this;
        }

        /**
         * Binds and starts the server; it accepts connections when this returns.
         *
         * @throws IllegalStateException if no model was set
         * @throws UncheckedIOException  if the server cannot listen (a {@link java.net.BindException} cause when the
         *                               port is in use)
         */
        public LocalOpenAiServer start() {
            if (model == null) {
                throw new IllegalStateException("LocalOpenAiServer needs a model");
            }
            return new LocalOpenAiServer(this);
        }

        private static String notBlank(String name, String value) {
            if (Objects.requireNonNull(value, name).isBlank()) {
                throw new IllegalArgumentException(name + " is blank");
            }
            return value;
        }

        private static int atLeastOne(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, was " + value);
            }
            return value;
        }
    }
}
