package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench sampler}: how well {@link ChatModelSampler} parallelises. Against a model that sleeps a
 * fixed latency, it measures one call through the sampler (median of 3), then N samples at once (median of
 * {@code --repeats} batches), and reports {@code parallel_efficiency = N x single_call_ms / wall_ms}: N for perfect
 * parallelism when concurrency >= N. The usage and {@code truncated_samples} (samples cut off at the token limit,
 * as the live benches report them) reported are those of the last measured batch.
 */
@Command(name = "sampler", mixinStandardHelpOptions = true,
        description = "Parallel efficiency of ChatModelSampler against a model with a fixed latency.")
public final class BenchSamplerCommand implements Callable<Integer> {

    private static final String PROMPT = "What is 6 times 7?";

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    private boolean json;

    @Option(names = "--n", defaultValue = "16", description = "Samples in the batch (default ${DEFAULT-VALUE}).")
    private int n;

    @Option(names = "--concurrency", defaultValue = "16",
            description = "Most calls in flight (default ${DEFAULT-VALUE}).")
    private int concurrency;

    @Option(names = "--latency-ms", defaultValue = "200",
            description = "The model's fixed latency per call in ms (default ${DEFAULT-VALUE}).")
    private long latencyMs;

    @Option(names = "--repeats", defaultValue = "3",
            description = "Batches measured; the median wall time counts (default ${DEFAULT-VALUE}).")
    private int repeats;

    @Override
    public Integer call() {
        if (n < 1 || concurrency < 1 || latencyMs < 1 || repeats < 1) {
            throw new IllegalArgumentException("--n, --concurrency, --latency-ms and --repeats must be >= 1");
        }
        Progress progress = new Progress("bench sampler");
        FixedLatencyChatModel model = new FixedLatencyChatModel(Duration.ofMillis(latencyMs), "The answer is 42.");
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).name("fixed-latency")
                .concurrency(concurrency).callTimeout(Duration.ofMillis(Math.max(10_000, 10 * latencyMs))).build()) {
            // Warm-up: class loading, JIT and the sampler's threads, so that neither measurement pays for them.
            requireComplete(sampler.sample(PROMPT, Math.min(n, concurrency), 0));
            int steps = 1 + repeats;
            progress.update(0, steps);
            double singleMs = medianMs(3, () -> requireComplete(sampler.sample(PROMPT, 1, 0)));
            progress.update(1, steps);
            SampleBatch[] batches = new SampleBatch[repeats];
            AtomicInteger run = new AtomicInteger();
            double wallMs = medianMs(repeats, () -> {
                int i = run.getAndIncrement();
                batches[i] = requireComplete(sampler.sample(PROMPT, n, 100L * (i + 1)));
                progress.update(2L + i, steps);
            });
            SampleBatch batch = batches[repeats - 1];
            new BenchReport()
                    .put("benchmark", "sampler")
                    .put("n", n)
                    .put("concurrency", concurrency)
                    .put("latency_ms", latencyMs)
                    .put("single_call_ms", singleMs)
                    .put("wall_ms", wallMs)
                    .put("repeats", repeats)
                    .put("parallel_efficiency", n * singleMs / wallMs)
                    .put("ideal_efficiency", Math.min(n, concurrency))
                    .put("truncated_samples", batch.truncatedSamples())
                    .put("usage", BenchReport.usage(batch.usage()))
                    .print(System.out, json);
        }
        return 0;
    }

    /** The median elapsed time of {@code times} runs of {@code work}, in milliseconds. */
    private static double medianMs(int times, Runnable work) {
        long[] elapsed = new long[times];
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            work.run();
            elapsed[i] = System.nanoTime() - start;
        }
        Arrays.sort(elapsed);
        return (times % 2 == 1 ? elapsed[times / 2] : (elapsed[times / 2 - 1] + elapsed[times / 2]) / 2.0) / 1e6;
    }

    private static SampleBatch requireComplete(SampleBatch batch) {
        if (batch.isShort()) {
            throw new IllegalStateException("the fixed-latency model failed: " + batch.failures());
        }
        return batch;
    }
}
