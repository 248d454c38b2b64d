package dev.reasoningsdk.examples.cli;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.ModelSource;
import dev.reasoningsdk.impl.onnx.OnnxModelSession;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.onnx.hf.internal.GraphWithHiddenState;
import dev.reasoningsdk.impl.onnx.internal.NextTokenOutputs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench local-llm}: prefill and decode tokens/s of a local decoder-with-past model at batch 1 and 8
 * (the rows of a batch share one prompt, as N chains of one question do), and the SDK's time per decode step against
 * ONNX Runtime running the same graph's greedy step alone on inputs built once ({@code overhead_ratio}, what the SDK
 * adds: input tensors, cache hand-over, reading the next-token outputs, choosing the token). {@code --model} is a
 * Hugging Face export folder (default the qwen3-tiny-random fixture; the embedded tiny reasoner is one too).
 */
@Command(name = "local-llm", mixinStandardHelpOptions = true,
        description = "Prefill/decode tokens/s at batch 1 and 8 and the SDK's decode-step overhead over ONNX Runtime.")
public final class BenchLocalLlmCommand implements Callable<Integer> {

    static final String DEFAULT_MODEL = "models/qwen3-tiny-random";
    static final String QUESTION = "Ana starts with 7 shells. She sells 4. How many shells does she have now?";
    static final String ORT_BASELINE = "ONNX Runtime alone running one greedy decode step of the same graph the SDK"
            + " runs (the export with the next-token outputs added at load), asking for the same outputs (top-1"
            + " logit and id, log-normalizer, present key/values), on inputs and a zero cache built once, at the"
            + " middle of the decode; ort_export_ms_per_decode_step is the export as it is, fetching its logits";

    @Option(names = "--model", description = "Export folder (default the qwen3-tiny-random fixture; the tiny"
            + " reasoner's is reasoning-sdk-impl/reasoning-sdk-onnx/src/main/resources/dev/reasoningsdk/models/"
            + "tiny-reasoner).")
    private Path model;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    private boolean json;

    @Option(names = "--tokens", defaultValue = "32", description = "New tokens per row (default ${DEFAULT-VALUE}).")
    private int tokens;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per figure; the median is reported"
            + " (default ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads"
            + " (default ${DEFAULT-VALUE}).")
    private int threads;

    @Override
    public Integer call() throws Exception {
        if (tokens < 2 || runs < 1 || threads < 1) {
            throw new IllegalArgumentException("--tokens must be >= 2, --runs and --threads >= 1");
        }
        Path folder = model != null ? model : SharedData.require(DEFAULT_MODEL, "--model");
        if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "not a model folder");
        }
        BenchReport report = new BenchReport();
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(threads)) {
            try (CausalLanguageModel lm = HuggingFaceOnnxModel.builder().folder(folder).sessionFactory(factory).build();
                 // The very graph the SDK decodes with: the export plus the outputs added at load.
                 OnnxModelSession step = factory.open(GraphWithHiddenState.of(decoderFile(folder)).source());
                 // The export as it is, for what the added outputs cost ONNX Runtime.
                 OnnxModelSession export = factory.open(ModelSource.file(decoderFile(folder)))) {
                String prompt = lm.formatPrompt(QUESTION);
                report.put("model", lm.modelId()).put("provider", step.providerUsed())
                        .put("intra_op_threads", threads).put("new_tokens_asked", tokens)
                        .put("ort_baseline", ORT_BASELINE);
                for (int batch : new int[] {1, 8}) {
                    report.put("batch_" + batch, measure(lm, step, export, prompt, batch));
                }
            }
        }
        report.print(System.out, json);
        return 0;
    }

    private BenchReport measure(CausalLanguageModel lm, OnnxModelSession step, OnnxModelSession export,
                                String prompt, int batch) throws OrtException {
        lm.generate(prompt, batch, GenerationOptions.greedy(tokens));
        double prefillMillis = medianMillis(() -> lm.generate(prompt, batch, GenerationOptions.greedy(1)));
        List<Generation> rows = new ArrayList<>();
        double generateMillis = medianMillis(() -> {
            rows.clear();
            rows.addAll(lm.generate(prompt, batch, GenerationOptions.greedy(tokens)));
        });
        int promptTokens = rows.get(0).promptTokens();
        int steps = rows.stream().mapToInt(g -> g.tokenIds().length).max().orElse(1) - 1;
        long decoded = rows.stream().mapToLong(g -> Math.max(0, g.tokenIds().length - 1)).sum();
        BenchReport figures = new BenchReport().put("prompt_tokens", promptTokens)
                .put("prefill_ms", round(prefillMillis))
                .put("prefill_tokens_per_s", round(promptTokens / (prefillMillis / 1e3)))
                .put("decode_steps", steps);
        if (steps < 1) {
            return figures.put("note", "every row stopped at its first token: no decode step to time");
        }
        if (generateMillis <= prefillMillis) {
            // Two medians of noisy runs: with few runs the decode time can vanish in the prefill's spread.
            return figures.put("note", "decode time not separable from prefill at " + runs
                    + " run(s) of " + tokens + " tokens; raise --runs or --tokens");
        }
        double sdkStep = (generateMillis - prefillMillis) / steps;
        double ortStep = ortStepMillis(step, batch, promptTokens + steps / 2, true);
        double exportStep = ortStepMillis(export, batch, promptTokens + steps / 2, false);
        return figures.put("decode_tokens_per_s", round(decoded / ((generateMillis - prefillMillis) / 1e3)))
                .put("sdk_ms_per_decode_step", round(sdkStep))
                .put("ort_ms_per_decode_step", round(ortStep))
                .put("overhead_ratio", round(sdkStep / ortStep))
                .put("ort_export_ms_per_decode_step", round(exportStep))
                .put("overhead_ratio_vs_export", round(sdkStep / exportStep));
    }

    /**
     * ONNX Runtime alone: one greedy decode step of the graph at {@code batch} rows after {@code past} tokens,
     * fetching what the SDK's greedy step fetches ({@code nextTokenOutputs}) or, on the export as it is, its logits.
     */
    private double ortStepMillis(OnnxModelSession step, int batch, int past, boolean nextTokenOutputs)
            throws OrtException {
        OrtEnvironment environment = step.environment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Map.Entry<String, NodeInfo> input : step.session().getInputInfo().entrySet()) {
                if (input.getKey().equals(NextTokenOutputs.TOP_K)) {
                    continue;
                }
                feed.put(input.getKey(), stepInput(environment, input.getKey(),
                        (TensorInfo) input.getValue().getInfo(), batch, past));
            }
            Set<String> fetched = new HashSet<>();
            if (nextTokenOutputs) {
                feed.put(NextTokenOutputs.TOP_K, OnnxTensor.createTensor(environment, new long[] {1}));
                fetched.addAll(List.of(NextTokenOutputs.TOP_LOGITS, NextTokenOutputs.TOP_IDS,
                        NextTokenOutputs.LOG_NORMALIZER));
            } else {
                fetched.add("logits");
            }
            step.session().getOutputInfo().keySet().stream().filter(name -> name.startsWith("present."))
                    .forEach(fetched::add);
            OrtSession session = step.session();
            session.run(feed, fetched).close();
            return medianMillis(() -> {
                try {
                    session.run(feed, fetched).close();
                } catch (OrtException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** A decode step's input: one token per row, a mask of ones, its position, a zero cache of the graph's type. */
    private static OnnxTensor stepInput(OrtEnvironment environment, String name, TensorInfo info, int batch, int past)
            throws OrtException {
        if (name.equals("use_cache_branch")) {
            return OnnxTensor.createTensor(environment, new boolean[] {true});
        }
        if (name.startsWith("past_key_values.")) {
            long[] shape = {batch, info.getShape()[1], past, info.getShape()[3]};
            int bytesPerValue = info.type == OnnxJavaType.FLOAT16 ? 2 : 4;
            int bytes = Math.toIntExact(batch * shape[1] * past * shape[3] * bytesPerValue);
            return OnnxTensor.createTensor(environment, ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder()),
                    shape, info.type);
        }
        long[] values = new long[batch * (name.equals("attention_mask") ? past + 1 : 1)];
        Arrays.fill(values, name.equals("attention_mask") ? 1 : name.equals("position_ids") ? past : 0);
        return OnnxTensor.createTensor(environment, java.nio.LongBuffer.wrap(values),
                new long[] {batch, values.length / batch});
    }

    /** The decoder-with-past graph of an export folder, as the loader picks it. */
    private static Path decoderFile(Path folder) throws NoSuchFileException {
        for (String name : List.of(HuggingFaceOnnxModel.MODEL_FILE, HuggingFaceOnnxModel.MERGED_FILE,
                HuggingFaceOnnxModel.WITH_PAST_FILE)) {
            if (Files.isRegularFile(folder.resolve(name))) {
                return folder.resolve(name);
            }
        }
        throw new NoSuchFileException(folder.resolve(HuggingFaceOnnxModel.MODEL_FILE).toString());
    }

    private double medianMillis(Runnable run) {
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            run.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return BenchEncoderCommand.percentile(millis, 0.5);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
