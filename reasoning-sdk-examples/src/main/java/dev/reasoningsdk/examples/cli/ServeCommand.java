package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning serve [--model DIR] --port PORT}: the embedded tiny reasoner, or a Hugging Face ONNX export folder
 * ({@link HuggingFaceOnnxModel}, conversations rendered by its chat template), behind an OpenAI-compatible API
 * ({@link LocalOpenAiServer}), so that any OpenAI client, the LangChain4j one included, can be pointed at a real model
 * offline; {@code top_logprobs} may ask for up to the tiny reasoner's whole vocabulary (99 tokens; a {@code --model}
 * folder keeps OpenAI's limit of 20). Prints the base URL on stdout (one line) once the server accepts connections,
 * and runs until SIGINT or SIGTERM, when it finishes the requests in flight and closes the model. A port in use, or
 * a --host that is not an address of this machine, exits 2 with one line. Requests must name the model served
 * ({@code --served-model-name}, default the model's id), as OpenAI and vLLM require: another name is a 404. The same
 * model answers Ollama's {@code POST /api/chat} at the URL without {@code /v1} (what {@code --provider ollama
 * --base-url} takes), on the same generation path, so a seed gives the same text on both APIs.
 *
 * <p>With {@code --faults 429=0.2,500=0.1,hang=0.05} (and {@code --fault-seed N}) the model is served behind a
 * {@link FaultInjectingServer} on {@code --port}: each request draws a fault from that seeded mix (the draw of
 * request {@code i} is fixed by the seed), and one that draws none is forwarded to the model, so a client meets
 * injected 429s with Retry-After, 5xx, dropped connections and replies that never come while the answers, seeds and
 * log-probabilities stay the real model's. A client that leaves before its forwarded reply cancels the forwarded
 * request, so the model stops generating for it as it would without the fault server. The printed URL is then the
 * fault server's; on exit it prints what it received and injected on stderr.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the embedded tiny reasoner (or --model DIR) over an OpenAI-compatible API "
                + "(/v1/chat/completions, /v1/models) and Ollama's (/api/chat, /api/tags; --provider ollama takes the "
                + "URL without /v1) until interrupted; prints the OpenAI base URL on stdout.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face ONNX export folder to serve "
            + "(default: the embedded tiny reasoner); served under the folder's name.")
    private Path modelFolder;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "The model name clients must ask for "
            + "(as vLLM's option; default the model's id: tiny-reasoner@1, or the folder's name); any other name is a "
            + "404 model_not_found, as OpenAI and vLLM answer. Give the name your application uses in production.")
    private String servedModelName;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 picks a free one "
            + "(default 8080).")
    private int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default 127.0.0.1, "
            + "this machine only).")
    private String host;

    @Option(names = "--faults", paramLabel = "KIND=RATE,...", split = ",", description = "Serve behind a "
            + "fault-injecting server: each request gets fault KIND with probability RATE, else the model's answer. "
            + "Kinds: 429 (Retry-After: --retry-after), 500, 502, 503, hang (no reply until the server stops), reset "
            + "(connection closed), empty (an empty answer), invalid-json. E.g. 429=0.2,500=0.1,hang=0.05.")
    private List<String> faults;

    @Option(names = "--fault-seed", defaultValue = "0", description = "Seed of the --faults draws (default 0): the "
            + "same seed gives request i the same fault in every run.")
    private long faultSeed;

    @Option(names = "--retry-after", defaultValue = "1", description = "Seconds a --faults 429 asks the client to "
            + "wait (default 1).")
    private int retryAfterSeconds;

    @Option(names = "--concurrency", description = "Generations at once; later requests wait (default: the "
            + "available processors).")
    private Integer concurrency;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], was " + port);
        }
        LocalOpenAiServer.Builder builder = LocalOpenAiServer.builder().host(host).port(port);
        if (servedModelName != null) {
            if (servedModelName.isBlank()) {
                throw new IllegalArgumentException("--served-model-name is blank");
            }
            builder.modelName(servedModelName);
        }
        if (concurrency != null) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("--concurrency must be >= 1, was " + concurrency);
            }
            builder.concurrency(concurrency);
        }
        Map<HttpFault, Double> mix = faults == null ? null : faultMix(faults, retryAfterSeconds);
        if (mix != null && !"127.0.0.1".equals(host)) {
            throw new IllegalArgumentException("--faults serves on 127.0.0.1 only, was --host " + host);
        }
        HuggingFaceOnnxModel folder = modelFolder == null ? TinyReasoner.create()
                : ModelEndpoint.folderLoader(modelFolder).build();
        if (modelFolder == null) {
            // Top log-probabilities over the whole (99-token) vocabulary when asked: R-Tuning's "sure" and "unsure"
            // are among them even where the model finds both unlikely.
            builder.maxTopLogprobs(folder.vocabularySize());
        }
        CausalLanguageModel model = folder;
        String provider = folder.providerUsed();
        LocalOpenAiServer started = null;
        FaultInjectingServer faulty;
        try {
            // Behind the fault server the model listens on an ephemeral port of its own.
            started = (mix == null ? builder : builder.port(0)).model(model).start();
            faulty = mix == null ? null
                    : FaultInjectingServer.builder().port(port).random(faultSeed, mix)
                    .upstream(started.baseUrl()).start();
        } catch (UncheckedIOException e) {
            if (started != null) {
                started.close();
            }
            model.close();
            if (e.getCause() instanceof BindException bind && String.valueOf(bind.getMessage()).contains("in use")) {
                throw new IllegalArgumentException("--port " + port + ": " + host + ":" + port + " is in use", e);
            }
            if (e.getCause() instanceof SocketException listen) {
                // Not an address of this machine, or a name that does not resolve: what was asked cannot be bound.
                throw new IllegalArgumentException("--host " + host + " --port " + port + ": cannot listen there: "
                        + listen.getMessage(), e);
            }
            throw e;
        }
        LocalOpenAiServer server = started;
        // SIGINT and SIGTERM run the hooks: requests in flight finish, then the sockets and the model close.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (faulty != null) {
                System.err.println("fault server: " + faulty.requests() + " requests, by fault " + faulty.faults());
                faulty.close();
            }
            server.close();
            model.close();
        }, "reasoning-serve-shutdown"));
        System.out.println(faulty != null ? faulty.openAiBaseUrl() : server.baseUrl());
        System.out.flush();
        System.err.println("serving " + model.modelId() + " on " + provider + " as '"
                + server.modelName() + "'" + (faulty != null ? " behind faults " + faults + " (seed " + faultSeed
                + ")" : "") + "; stop with Ctrl-C");
        new CountDownLatch(1).await();
        return 0;
    }

    /** {@code KIND=RATE} pairs as a fault mix; a bad kind, rate or total exits 2 naming it. */
    static Map<HttpFault, Double> faultMix(List<String> specs, int retryAfterSeconds) {
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("--retry-after must be >= 0, was " + retryAfterSeconds);
        }
        Map<HttpFault, Double> mix = new LinkedHashMap<>();
        double total = 0;
        for (String spec : specs) {
            int equals = spec.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("--faults takes KIND=RATE pairs, was '" + spec + "'");
            }
            String kind = spec.substring(0, equals).trim().toLowerCase(Locale.ROOT);
            double rate;
            try {
                rate = Double.parseDouble(spec.substring(equals + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--faults " + kind + ": the rate must be a number, was '"
                        + spec.substring(equals + 1) + "'", e);
            }
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("--faults " + kind + ": the rate must be in [0, 1], was " + rate);
            }
            HttpFault fault = switch (kind) {
                case "429" -> HttpFault.rateLimited(Duration.ofSeconds(retryAfterSeconds));
                case "500", "502", "503" -> HttpFault.serverError(Integer.parseInt(kind));
                case "hang" -> HttpFault.hang();
                case "reset" -> HttpFault.reset();
                case "empty" -> HttpFault.emptyAnswer();
                case "invalid-json" -> HttpFault.invalidJson();
                default -> throw new IllegalArgumentException("--faults: unknown kind '" + kind + "' (429, 500, "
                        + "502, 503, hang, reset, empty, invalid-json)");
            };
            if (mix.put(fault, rate) != null) {
                throw new IllegalArgumentException("--faults names " + kind + " twice");
            }
            total += rate;
        }
        if (total > 1) {
            throw new IllegalArgumentException("--faults rates add up to " + total + ", more than 1");
        }
        return mix;
    }
}
