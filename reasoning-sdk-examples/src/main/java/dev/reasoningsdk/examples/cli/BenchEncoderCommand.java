package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench encoder}: latency of the embedded sentence encoder on one ~20-token sentence (p50, p95
 * after warm-up) and throughput on 32 sentences, both one sentence per pass (the default, exact) and in one padded
 * 32-row pass (faster; reported with how far it moves the embeddings).
 */
@Command(name = "encoder", mixinStandardHelpOptions = true,
        description = "Sentence-encoder latency (p50/p95 on one ~20-token sentence) and throughput at batch 32.")
public final class BenchEncoderCommand implements Callable<Integer> {

    static final String SENTENCE =
            "The quick brown fox jumps over the lazy dog while the farmer watches from the old barn door.";

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    private boolean json;

    @Option(names = "--runs", defaultValue = "200",
            description = "Timed single-sentence runs (default ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--warmup", defaultValue = "50", description = "Untimed warm-up runs (default ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--batches", defaultValue = "10", description = "Timed batches of 32 (default ${DEFAULT-VALUE}).")
    private int batches;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default min(4, cores)).")
    private Integer threads;

    @Option(names = "--spinning", description = "Let idle ONNX Runtime threads spin (off by default).")
    private boolean spinning;

    // --provider is the name this option had before the CLI could run remote models: a hidden, silent alias.
    @Option(names = {"--execution-provider", "--provider"}, defaultValue = "AUTO",
            description = "AUTO, CPU or CUDA (default ${DEFAULT-VALUE}).")
    private ExecutionProvider provider;

    @Override
    public Integer call() {
        if (runs < 1 || warmup < 0 || batches < 1) {
            throw new IllegalArgumentException("--runs and --batches must be >= 1 and --warmup >= 0");
        }
        OnnxSessionFactory.Builder factoryBuilder = OnnxSessionFactory.builder().executionProvider(provider)
                .allowSpinning(spinning);
        if (threads != null) {
            factoryBuilder.intraOpThreads(threads);
        }
        List<String> thirtyTwo = sentences(32);
        BenchReport report = new BenchReport();
        try (OnnxSessionFactory factory = factoryBuilder.build();
             AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.builder().sessionFactory(factory).build();
             AllMiniLmL6V2Encoder batched = AllMiniLmL6V2Encoder.builder().sessionFactory(factory).batchSize(32)
                     .build()) {
            Progress progress = new Progress("bench encoder");
            for (int i = 0; i < warmup; i++) {
                encoder.embed(SENTENCE);
            }
            double[] millis = new double[runs];
            double[] cpuMillis = new double[runs];
            java.lang.management.ThreadMXBean threadBean = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuStart = processCpuNanos();
            for (int i = 0; i < runs; i++) {
                long cpu = threadBean.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                encoder.embed(SENTENCE);
                millis[i] = (System.nanoTime() - start) / 1e6;
                cpuMillis[i] = (threadBean.getCurrentThreadCpuTime() - cpu) / 1e6;
                progress.update(i + 1, runs + 2L * batches);
            }
            double cpuMillisPerRun = (processCpuNanos() - cpuStart) / 1e6 / runs;
            Arrays.sort(millis);
            Arrays.sort(cpuMillis);
            encoder.embedAll(thirtyTwo);
            batched.embedAll(thirtyTwo);
            double singlePasses = throughput(encoder, thirtyTwo, progress, runs);
            double onePass = throughput(batched, thirtyTwo, progress, runs + batches);
            List<float[]> exact = encoder.embedAll(thirtyTwo);
            List<float[]> shared = batched.embedAll(thirtyTwo);
            double minCosine = 1;
            for (int i = 0; i < exact.size(); i++) {
                minCosine = Math.min(minCosine, SentenceEncoder.cosine(exact.get(i), shared.get(i)));
            }
            report.put("model", encoder.modelId())
                    .put("provider", encoder.providerUsed())
                    .put("intra_op_threads", factory.intraOpThreads())
                    .put("spinning", spinning)
                    .put("sentence_tokens", encoder.encode(List.of(SENTENCE)).tokens())
                    .put("runs", runs)
                    .put("p50_ms", round(percentile(millis, 0.50)))
                    .put("p95_ms", round(percentile(millis, 0.95)))
                    .put("mean_ms", round(Arrays.stream(millis).average().orElse(0)))
                    .put("process_cpu_ms_per_run", round(cpuMillisPerRun))
                    .put("load_average_1m", loadAverage())
                    .put("sentences_per_s", round(singlePasses))
                    .put("sentences_per_s_one_padded_pass", round(onePass))
                    .put("one_padded_pass_min_cosine_to_exact", Math.round(minCosine * 1e5) / 1e5);
            if (factory.intraOpThreads() == 1) {
                // One intra-op thread runs the model on the calling thread, so its CPU time is the encoder's own
                // cost whatever else the machine is doing.
                report.put("p50_thread_cpu_ms", round(percentile(cpuMillis, 0.50)))
                        .put("p95_thread_cpu_ms", round(percentile(cpuMillis, 0.95)));
            }
        }
        report.print(System.out, json);
        return 0;
    }

    /** Sentences per second over {@code --batches} calls of 32 sentences. */
    private double throughput(AllMiniLmL6V2Encoder encoder, List<String> thirtyTwo, Progress progress, long done) {
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            encoder.embedAll(thirtyTwo);
            progress.update(done + b + 1, runs + 2L * batches);
        }
        return batches * (double) thirtyTwo.size() / ((System.nanoTime() - start) / 1e9);
    }

    /** CPU time of the whole process (ONNX Runtime's own threads included), so contention can be told apart. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The 1-minute load average: latency on a busy machine is not the encoder's. */
    private static double loadAverage() {
        return Math.round(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                * 100) / 100.0;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** {@code count} different sentences of roughly 15 to 25 tokens. */
    static List<String> sentences(int count) {
        String[] subjects = {"The old farmer", "A young student", "My neighbour's cat", "The city council",
            "An experienced pilot", "The research team", "Our new manager", "A tired traveller"};
        String[] actions = {"carefully repaired the broken fence behind the barn",
            "quickly answered every question on the difficult exam",
            "slept for hours on the warm windowsill in the kitchen",
            "approved a plan to build three new bridges across the river"};
        List<String> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            result.add(String.format(Locale.ROOT, "%s %s on day %d.", subjects[i % subjects.length],
                    actions[(i / subjects.length) % actions.length], i + 1));
        }
        return result;
    }
}
