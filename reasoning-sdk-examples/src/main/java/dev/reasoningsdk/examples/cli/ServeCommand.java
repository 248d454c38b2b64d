package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning serve [--model DIR] --port PORT}: the embedded tiny reasoner, or a Hugging Face ONNX export folder
 * ({@link HuggingFaceOnnxModel}, conversations rendered by its chat template), behind an OpenAI-compatible API
 * ({@link LocalOpenAiServer}), so that any OpenAI client, the LangChain4j one included, can be pointed at a real model
 * offline. Prints the base URL on stdout (one line) once the server accepts connections, and runs until SIGINT or
 * SIGTERM, when it finishes the requests in flight and closes the model. A port in use exits 2 with one line.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the embedded tiny reasoner (or --model DIR) over an OpenAI-compatible API (/v1/chat/completions, "
                + "/v1/models) until interrupted; prints the base URL on stdout.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face ONNX export folder to serve "
            + "(default: the embedded tiny reasoner); served under the folder's name.")
    private Path modelFolder;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 picks a free one "
            + "(default 8080).")
    private int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default 127.0.0.1, "
            + "this machine only).")
    private String host;

    @Option(names = "--concurrency", description = "Generations at once; later requests wait (default: the "
            + "available processors).")
    private Integer concurrency;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be in [0, 65535], was " + port);
        }
        LocalOpenAiServer.Builder builder = LocalOpenAiServer.builder().host(host).port(port);
        if (concurrency != null) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("--concurrency must be >= 1, was " + concurrency);
            }
            builder.concurrency(concurrency);
        }
        CausalLanguageModel model;
        String provider;
        if (modelFolder == null) {
            TinyReasoner tiny = TinyReasoner.create();
            model = tiny;
            provider = tiny.providerUsed();
        } else {
            HuggingFaceOnnxModel folder = HuggingFaceOnnxModel.of(modelFolder);
            model = folder;
            provider = folder.providerUsed();
        }
        LocalOpenAiServer server;
        try {
            server = builder.model(model).start();
        } catch (UncheckedIOException e) {
            model.close();
            if (e.getCause() instanceof BindException) {
                throw new IllegalArgumentException("--port " + port + ": " + host + ":" + port + " is in use", e);
            }
            throw e;
        }
        // SIGINT and SIGTERM run the hooks: requests in flight finish, then the sockets and the model close.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            model.close();
        }, "reasoning-serve-shutdown"));
        System.out.println(server.baseUrl());
        System.out.flush();
        System.err.println("serving " + model.modelId() + " on " + provider + " as '"
                + server.modelName() + "'; stop with Ctrl-C");
        new CountDownLatch(1).await();
        return 0;
    }
}
