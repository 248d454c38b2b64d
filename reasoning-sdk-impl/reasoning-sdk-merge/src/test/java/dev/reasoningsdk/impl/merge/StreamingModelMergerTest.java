package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.api.merge.SignConsensus;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.HalfFloats;
import dev.reasoningsdk.impl.merge.internal.SafetensorsReader;
import dev.reasoningsdk.impl.merge.internal.SafetensorsWriter;
import dev.reasoningsdk.impl.merge.internal.TensorInfo;
import dev.reasoningsdk.impl.merge.internal.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StreamingModelMergerTest {

    @TempDir
    Path dir;

    private Map<String, float[]> base;
    private Map<String, float[]> first;
    private Map<String, float[]> second;
    private final StreamingModelMerger merger = StreamingModelMerger.builder().chunkElements(1024).threads(1).build();

    @BeforeEach
    void checkpoints() {
        base = Checkpoints.random(1, null);
        first = Checkpoints.random(2, base);
        second = Checkpoints.random(3, base);
    }

    private Path[] write(Dtype dtype) {
        return new Path[] {
                Checkpoints.write(dir.resolve("base-" + dtype + ".safetensors"), base, dtype, Map.of("model", "base")),
                Checkpoints.write(dir.resolve("a-" + dtype + ".safetensors"), first, dtype, Map.of()),
                Checkpoints.write(dir.resolve("b-" + dtype + ".safetensors"), second, dtype, Map.of())};
    }

    private static RatioSchedule c(double value) {
        return RatioSchedule.constant(value);
    }

    /** The plan for each method on (base, a, b), and the reference for one tensor of rounded inputs. */
    private MergePlan plan(MergeMethod method, Path[] files, Path out) {
        MergePlan.Builder builder = MergePlan.builder().method(method).output(out).seed(7);
        switch (method) {
            case LINEAR -> builder.addModel(files[0], Map.of("weight", c(0.5)))
                    .addModel(files[1], Map.of("weight", c(0.3)))
                    .addModel(files[2], Map.of("weight", c(0.4)));
            case SLERP -> builder.baseModel(files[0]).addModel(files[1]).parameter("t", c(0.3));
            case MODEL_STOCK -> builder.baseModel(files[0]).addModel(files[1]).addModel(files[2]);
            default -> builder.baseModel(files[0])
                    .addModel(files[1], Map.of("weight", c(0.7), "density", c(0.4)))
                    .addModel(files[2], Map.of("weight", c(0.5), "density", c(0.6)));
        }
        if (method == MergeMethod.TASK_ARITHMETIC) {
            builder = MergePlan.builder().method(method).output(out).baseModel(files[0])
                    .addModel(files[1], Map.of("weight", c(0.7))).addModel(files[2], Map.of("weight", c(0.5)))
                    .parameter("lambda", c(0.9));
        }
        return builder.build();
    }

    private float[] reference(MergeMethod method, String tensor, Map<String, float[]> b, Map<String, float[]> x,
                              Map<String, float[]> y) {
        float[] bt = b.get(tensor);
        float[][] xs = {x.get(tensor), y.get(tensor)};
        long[] keys = {MergeMath.streamKey(7, tensor, 0), MergeMath.streamKey(7, tensor, 1)};
        double[] w = {0.7, 0.5};
        double[] d = {0.4, 0.6};
        return switch (method) {
            case LINEAR -> MergeReference.linear(new float[][] {bt, xs[0], xs[1]}, new double[] {0.5, 0.3, 0.4},
                    true);
            case SLERP -> MergeReference.slerp(bt, xs[0], 0.3);
            case MODEL_STOCK -> MergeReference.modelStock(bt, xs);
            case TASK_ARITHMETIC -> MergeReference.taskArithmetic(bt, xs, w, new double[] {1, 1}, 0, null, false,
                    false, 0.9, keys);
            case TIES -> MergeReference.taskArithmetic(bt, xs, w, d, 1, "sum", true, false, 1, keys);
            case DARE_LINEAR -> MergeReference.taskArithmetic(bt, xs, w, d, 2, null, false, true, 1, keys);
            case DARE_TIES -> MergeReference.taskArithmetic(bt, xs, w, d, 2, "sum", false, true, 1, keys);
        };
    }

    @ParameterizedTest
    @EnumSource(MergeMethod.class)
    void everyMethodMatchesTheReferenceExactlyInF32(MergeMethod method) throws Exception {
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("out.safetensors");
        MergeReport report = merger.merge(plan(method, files, out));

        Map<String, float[]> merged = Checkpoints.read(out);
        assertThat(report.tensors()).isEqualTo(Checkpoints.SHAPES.size());
        assertThat(report.outputFiles()).containsExactly(out.toAbsolutePath());
        for (String tensor : Checkpoints.SHAPES.keySet()) {
            float[] expected = reference(method, tensor, base, first, second);
            assertThat(merged.get(tensor)).as(method + " " + tensor).isEqualTo(expected);
        }
        try (SafetensorsReader reader = SafetensorsReader.open(out)) {
            assertThat(reader.metadata()).as("__metadata__ of the base is kept").isEqualTo(Map.of("model", "base"));
        }
    }

    @ParameterizedTest
    @EnumSource(MergeMethod.class)
    void resultsDoNotDependOnThreadsOrChunkSize(MergeMethod method) throws Exception {
        Path[] files = write(Dtype.BF16);
        Path one = dir.resolve("one-thread.safetensors");
        Path many = dir.resolve("three-threads.safetensors");
        merger.merge(plan(method, files, one));
        StreamingModelMerger.builder().chunkElements(2048).threads(3).build().merge(plan(method, files, many));
        assertThat(Files.readAllBytes(many)).isEqualTo(Files.readAllBytes(one));
    }

    @ParameterizedTest
    @EnumSource(MergeMethod.class)
    void everyMethodIsWithinOneUlpOfTheReferenceInBf16(MergeMethod method) throws Exception {
        Path[] files = write(Dtype.BF16);
        Path out = dir.resolve("out-bf16.safetensors");
        merger.merge(plan(method, files, out));

        Map<String, float[]> merged = Checkpoints.read(out);
        Map<String, float[]> b = Checkpoints.rounded(base, Dtype.BF16);
        Map<String, float[]> x = Checkpoints.rounded(first, Dtype.BF16);
        Map<String, float[]> y = Checkpoints.rounded(second, Dtype.BF16);
        for (String tensor : Checkpoints.SHAPES.keySet()) {
            float[] expected = reference(method, tensor, b, x, y);
            float[] actual = merged.get(tensor);
            for (int j = 0; j < expected.length; j++) {
                int want = HalfFloats.floatToBfloat16(expected[j]);
                int got = HalfFloats.floatToBfloat16(actual[j]);
                assertThat(Math.abs(want - got)).as(method + " " + tensor + "[" + j + "]").isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void theOutputFolderGetsTheBaseModelsConfigAndTokenizerAsMergekitWrites() throws Exception {
        Path[] files = write(Dtype.F32);
        Path baseFolder = Files.createDirectories(dir.resolve("base-model"));
        Path baseWeights = Files.move(files[0], baseFolder.resolve("model.safetensors"));
        Files.writeString(baseFolder.resolve("config.json"), "{\"model_type\": \"tiny\"}");
        Files.writeString(baseFolder.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        Files.writeString(baseFolder.resolve("notes.txt"), "not a model file");
        Path secret = Files.writeString(dir.resolve("secret.txt"), "outside the folder");
        Files.createSymbolicLink(baseFolder.resolve("tokenizer_config.json"), secret);
        Path outDir = dir.resolve("merged");

        MergeReport report = merger.merge(MergePlan.builder().method(MergeMethod.TASK_ARITHMETIC)
                .output(outDir.resolve("model.safetensors")).baseModel(baseWeights)
                .addModel(files[1], Map.of("weight", c(0.5))).addModel(files[2], Map.of("weight", c(0.5))).build());

        assertThat(Files.readString(outDir.resolve("config.json"))).isEqualTo("{\"model_type\": \"tiny\"}");
        assertThat(Files.readString(outDir.resolve("tokenizer.json"))).isEqualTo("{\"version\": \"1.0\"}");
        assertThat(outDir.resolve("notes.txt")).doesNotExist();
        assertThat(outDir.resolve("tokenizer_config.json")).as("a link is not followed").doesNotExist();
        assertThat(report.outputFiles()).containsExactly(outDir.resolve("model.safetensors").toAbsolutePath(),
                outDir.resolve("config.json").toAbsolutePath(), outDir.resolve("tokenizer.json").toAbsolutePath());
    }

    /**
     * mergekit rescales a magnitude-trimmed task vector to its L1 norm ({@code rescale: true} on TIES): delta
     * [4, -3, 2, 1] at density 0.5 keeps [4, -3] and scales it by 10 / 7. Dividing by the density instead gave
     * [8, -6], twice the largest entries, where mergekit gives 5.71 and -4.29.
     */
    @Test
    void tiesRescalesTheKeptEntriesToTheTaskVectorsL1NormAsMergekitDoes() throws Exception {
        List<TensorSpec> specs = List.of(new TensorSpec("model.layers.0.mlp.down_proj.weight", Dtype.F32,
                List.of(4L)));
        Path baseFile = writeValues(dir.resolve("zeros.safetensors"), specs, new float[] {0, 0, 0, 0});
        Path tuned = writeValues(dir.resolve("tuned.safetensors"), specs, new float[] {4, -3, 2, 1});
        Path out = dir.resolve("ties-rescaled.safetensors");
        merger.merge(MergePlan.builder().method(MergeMethod.TIES).output(out).baseModel(baseFile)
                .addModel(tuned, Map.of("weight", c(1), "density", c(0.5))).parameter("rescale", c(1)).build());
        assertThat(Checkpoints.read(out).get("model.layers.0.mlp.down_proj.weight"))
                .containsExactly(4f * (10f / 7f), -3f * (10f / 7f), 0f, 0f);
    }

    /**
     * A sharded output written over an earlier one of the same shard names, failing after its first shard was renamed
     * (here: the second shard's name is taken by a folder). The earlier index used to stay, naming a first shard that
     * was gone; a kill at the same moment left it naming the new first shard beside the old second one, a model that
     * loads and is neither. The index now goes before any shard is replaced.
     */
    @Test
    void aShardedWriteThatFailsHalfWayNeverLeavesTheEarlierIndexBehind() throws Exception {
        List<TensorSpec> specs = List.of(new TensorSpec("a.weight", Dtype.F32, List.of(4L)),
                new TensorSpec("b.weight", Dtype.F32, List.of(4L)));
        Path folder = dir.resolve("sharded");
        writeSharded(folder, specs, 1f);
        Path index = folder.resolve(SafetensorsReader.INDEX_FILE);
        assertThat(index).exists();
        List<Path> shards = SafetensorsWriter.shardedFiles(folder, specs, 16);
        Files.delete(shards.get(1));
        Files.createDirectories(shards.get(1).resolve("in-the-way"));

        assertThatThrownBy(() -> writeSharded(folder, specs, 2f)).isInstanceOf(MergeException.class);

        assertThat(index).as("no index naming shards that are gone or mixed").doesNotExist();
        try (Stream<Path> listing = Files.list(folder)) {
            assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    private static void writeSharded(Path folder, List<TensorSpec> specs, float value) {
        try (SafetensorsWriter writer = SafetensorsWriter.sharded(folder, Map.of(), specs, 16)) {
            for (TensorSpec spec : specs) {
                ByteBuffer buffer = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                buffer.asFloatBuffer().put(new float[] {value, value, value, value});
                writer.write(buffer);
            }
            writer.commit();
        }
    }

    private static Path writeValues(Path file, List<TensorSpec> specs, float[] values) {
        try (SafetensorsWriter writer = SafetensorsWriter.single(file, Map.of(), specs)) {
            ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(values);
            writer.write(buffer);
            writer.commit();
        }
        return file;
    }

    @Test
    void tiesWithCountConsensusMatchesTheReference() throws Exception {
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("ties-count.safetensors");
        merger.merge(MergePlan.builder().method(MergeMethod.TIES).output(out).baseModel(files[0])
                .addModel(files[1], Map.of("weight", c(0.7), "density", c(0.4)))
                .addModel(files[2], Map.of("weight", c(0.5), "density", c(0.6)))
                .signConsensus(SignConsensus.COUNT).parameter("normalize", c(0)).build());
        Map<String, float[]> merged = Checkpoints.read(out);
        for (String tensor : Checkpoints.SHAPES.keySet()) {
            float[] expected = MergeReference.taskArithmetic(base.get(tensor),
                    new float[][] {first.get(tensor), second.get(tensor)}, new double[] {0.7, 0.5},
                    new double[] {0.4, 0.6}, 1, "count", false, false, 1, new long[2]);
            assertThat(merged.get(tensor)).as(tensor).isEqualTo(expected);
        }
    }

    @Test
    void tiesKeepsExactlyTheDensityWhenMagnitudesTie() throws Exception {
        // Quantised deltas make many equal magnitudes, so the threshold falls inside a run of ties.
        base.replaceAll((name, values) -> new float[values.length]);
        first.replaceAll((name, values) -> {
            float[] q = new float[values.length];
            for (int j = 0; j < q.length; j++) {
                q[j] = Math.round(values[j] * 4) / 4f;
            }
            return q;
        });
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("ties-tied.safetensors");
        merger.merge(MergePlan.builder().method(MergeMethod.TIES).output(out).baseModel(files[0])
                .addModel(files[1], Map.of("weight", c(1), "density", c(0.3))).build());
        Map<String, float[]> merged = Checkpoints.read(out);
        for (String tensor : Checkpoints.SHAPES.keySet()) {
            float[] expected = MergeReference.taskArithmetic(base.get(tensor), new float[][] {first.get(tensor)},
                    new double[] {1}, new double[] {0.3}, 1, "sum", true, false, 1, new long[1]);
            assertThat(merged.get(tensor)).as(tensor).isEqualTo(expected);
        }
    }

    @Test
    void perLayerGradientAndFiltersResolvePerTensor() throws Exception {
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("gradient.safetensors");
        RatioSchedule weight = new RatioSchedule.Filtered(
                List.of(new RatioSchedule.NameFilter("mlp", c(0.9))),
                new RatioSchedule.Gradient(List.of(0.0, 1.0), 0.25));
        merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(files[0], Map.of("weight", weight))
                .addModel(files[1], Map.of("weight", c(1)))
                .parameter("normalize", c(0)).build());
        assertLinearOfBaseAndFirst(out, tensor -> tensor.contains("mlp") ? 0.9
                : tensor.contains("layers.0.") ? 0.0 : tensor.contains("layers.1.") ? 0.5
                : tensor.contains("layers.2.") ? 1.0 : 0.25);
    }

    @Test
    void aConfigGradientIsReadAtItsStartBeforeTheLayersAndAtItsEndAfterThemAsMergekitDoes() throws Exception {
        // mergekit plans the embeddings at t = 0 and the final norm and output head at t = 1; until 2026-12-05 both
        // took the first value, so lm_head and model.norm were merged with 0.2 where mergekit uses 0.8.
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("config-gradient.safetensors");
        MergeConfig config = MergeConfig.parse("""
                merge_method: linear
                models:
                  - model: %s
                    parameters: {weight: [0.2, 0.8]}
                  - model: %s
                    parameters: {weight: 1}
                parameters: {normalize: false}
                """.formatted(files[0].getFileName(), files[1].getFileName()), dir);
        merger.merge(config.withOutput(out, 0));
        assertLinearOfBaseAndFirst(out, tensor -> tensor.contains("embed_tokens") ? 0.2
                : tensor.contains("layers.0.") ? 0.2 : tensor.contains("layers.1.") ? 0.5 : 0.8);
    }

    /** Every tensor of {@code out} is base x its weight + first x 1, unnormalised. */
    private void assertLinearOfBaseAndFirst(Path out, Function<String, Double> baseWeight) throws Exception {
        Map<String, float[]> merged = Checkpoints.read(out);
        for (String tensor : Checkpoints.SHAPES.keySet()) {
            float[] expected = MergeReference.linear(new float[][] {base.get(tensor), first.get(tensor)},
                    new double[] {baseWeight.apply(tensor), 1}, false);
            assertThat(merged.get(tensor)).as(tensor).isEqualTo(expected);
        }
    }

    @Test
    void outputDtypeConvertsWithRoundToNearestEven() throws Exception {
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("f16.safetensors");
        merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out).outputDtype("F16")
                .addModel(files[0], Map.of("weight", c(1))).addModel(files[1], Map.of("weight", c(1))).build());
        try (SafetensorsReader reader = SafetensorsReader.open(out)) {
            assertThat(reader.tensors()).allSatisfy(t -> assertThat(t.dtype()).isEqualTo(Dtype.F16));
        }
        Map<String, float[]> merged = Checkpoints.read(out);
        String tensor = "lm_head.weight";
        float[] exact = MergeReference.linear(new float[][] {base.get(tensor), first.get(tensor)},
                new double[] {1, 1}, true);
        assertThat(merged.get(tensor)).isEqualTo(Checkpoints.rounded(Map.of(tensor, exact), Dtype.F16).get(tensor));
    }

    @Test
    void shardedInputGivesShardedOutputEqualToTheSingleFileMerge() throws Exception {
        Path[] files = write(Dtype.F32);
        Path shardedBase = dir.resolve("sharded-base");
        Path shardedFirst = dir.resolve("sharded-first");
        for (Path[] pair : new Path[][] {{files[0], shardedBase}, {files[1], shardedFirst}}) {
            merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(pair[1]).maxShardBytes(20_000)
                    .addModel(pair[0], Map.of("weight", c(1))).build());
        }
        try (Stream<Path> listing = Files.list(shardedBase)) {
            assertThat(listing.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                    "model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                    "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors",
                    "model.safetensors.index.json");
        }
        Path shardedOut = dir.resolve("sharded-out");
        Path singleOut = dir.resolve("single-out.safetensors");
        merger.merge(MergePlan.builder().method(MergeMethod.SLERP).output(shardedOut).maxShardBytes(30_000)
                .baseModel(shardedBase).addModel(shardedFirst).parameter("t", c(0.4)).build());
        merger.merge(MergePlan.builder().method(MergeMethod.SLERP).output(singleOut)
                .baseModel(files[0]).addModel(files[1]).parameter("t", c(0.4)).build());

        Map<String, float[]> sharded = Checkpoints.read(shardedOut);
        Map<String, float[]> single = Checkpoints.read(singleOut);
        assertThat(sharded.keySet()).containsExactlyElementsOf(single.keySet());
        single.forEach((name, values) -> assertThat(sharded.get(name)).as(name).isEqualTo(values));
        String index = Files.readString(shardedOut.resolve(SafetensorsReader.INDEX_FILE));
        assertThat(index).contains("\"total_size\"").contains("\"weight_map\"");
        try (Stream<Path> listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /**
     * A single-file merge into a folder holding a sharded checkpoint used to succeed, leaving model.safetensors beside
     * the old index: transformers then loads the new model and this SDK the old one. The reverse, and shards of a
     * sharded merge with another shard count, are refused too; the same merge again overwrites as before.
     */
    @Test
    void anOutputFolderIsNeverLeftHoldingTwoCheckpoints() throws Exception {
        Path[] files = write(Dtype.F32);
        Path folder = dir.resolve("merged");
        Function<Long, MergePlan> plan = shardBytes -> MergePlan.builder().method(MergeMethod.LINEAR)
                .output(shardBytes > 0 ? folder : folder.resolve("model.safetensors")).maxShardBytes(shardBytes)
                .addModel(files[0], Map.of("weight", c(1))).addModel(files[1], Map.of("weight", c(1))).build();
        merger.merge(plan.apply(20_000L));
        merger.merge(plan.apply(20_000L));
        assertThatThrownBy(() -> merger.merge(plan.apply(0L))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(folder.toAbsolutePath() + ": holds model.safetensors.index.json (a sharded checkpoint);"
                        + " model.safetensors beside it would make two models in one folder, and loaders disagree"
                        + " on which it holds (transformers reads model.safetensors, this SDK the index); remove it"
                        + " or write the output elsewhere");
        assertThatThrownBy(() -> merger.merge(plan.apply(40_000L))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(": holds model-00001-of-00004.safetensors, a shard of another sharded"
                        + " checkpoint that the new index would not name");
        assertThat(folder.resolve("model.safetensors")).doesNotExist();

        Path single = dir.resolve("single");
        merger.merge(MergePlan.builder().method(MergeMethod.LINEAR)
                .output(single.resolve("model.safetensors")).addModel(files[0], Map.of("weight", c(1))).build());
        assertThatThrownBy(() -> merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(single)
                .maxShardBytes(20_000).addModel(files[0], Map.of("weight", c(1))).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(single.toAbsolutePath() + ": holds model.safetensors; a sharded checkpoint");
        assertThat(single.resolve(SafetensorsReader.INDEX_FILE)).doesNotExist();
    }

    /**
     * An input folder with both layouts (a botched save) was read through its index, while transformers loads its
     * model.safetensors: the merge used another model than the user's own loader sees.
     */
    @Test
    void anInputFolderHoldingTwoCheckpointsIsRefused() throws Exception {
        Path[] files = write(Dtype.F32);
        Path both = dir.resolve("both");
        merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(both).maxShardBytes(20_000)
                .addModel(files[0], Map.of("weight", c(1))).build());
        Files.copy(files[1], both.resolve("model.safetensors"));
        Path out = dir.resolve("from-both.safetensors");
        assertThatThrownBy(() -> merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(both, Map.of("weight", c(1))).addModel(files[2], Map.of("weight", c(1))).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(both + ": holds both model.safetensors and model.safetensors.index.json, and loaders"
                        + " disagree on which is the model (transformers reads model.safetensors, this SDK the"
                        + " index); name the file to merge instead of the folder");
        assertThat(out).doesNotExist();
    }

    @Test
    void mismatchedInputsAreRefusedNamingTheTensorAndLeaveNoOutput() {
        Path[] files = write(Dtype.F32);
        Map<String, float[]> fewer = new java.util.LinkedHashMap<>(first);
        fewer.remove("lm_head.weight");
        Path partial = Checkpoints.write(dir.resolve("partial.safetensors"), fewer, Dtype.F32, Map.of());
        Path out = dir.resolve("never.safetensors");
        assertThatThrownBy(() -> merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(files[0], Map.of("weight", c(1))).addModel(partial, Map.of("weight", c(1))).build()))
                .isInstanceOf(MergeException.class).hasMessageContaining("lm_head.weight")
                .hasMessageContaining("partial.safetensors");
        assertThat(out).doesNotExist();
    }

    /** position_ids as I64 in one model and I32 in the other were copied from the first without a word. */
    @Test
    void aCopiedTensorWithAnotherIntegerDtypeIsRefusedNamingTheTensorAndFile() {
        Path[] files = new Path[2];
        Dtype[] dtypes = {Dtype.I64, Dtype.I32};
        for (int model = 0; model < 2; model++) {
            List<TensorSpec> specs = List.of(new TensorSpec("model.norm.weight", Dtype.F32, List.of(4L)),
                    new TensorSpec("position_ids", dtypes[model], List.of(4L)));
            files[model] = dir.resolve("ids-" + dtypes[model] + ".safetensors");
            try (SafetensorsWriter writer = SafetensorsWriter.single(files[model], Map.of(), specs)) {
                specs.forEach(spec -> writer.write(ByteBuffer.wrap(new byte[(int) spec.byteSize()])));
                writer.commit();
            }
        }
        Path out = dir.resolve("never.safetensors");
        assertThatThrownBy(() -> merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(files[0], Map.of("weight", c(1))).addModel(files[1], Map.of("weight", c(1))).build()))
                .isInstanceOf(MergeException.class)
                .hasMessage(files[1] + ": tensor 'position_ids' is I32 but " + files[0] + " has I64");
        assertThat(out).doesNotExist();
    }

    @Test
    void unknownAndMissingParametersAreRefusedByName() {
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("x.safetensors");
        assertThatThrownBy(() -> merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(files[0], Map.of("weight", c(1), "densty", c(0.5))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'densty'");
        assertThatThrownBy(() -> merger.merge(MergePlan.builder().method(MergeMethod.SLERP).output(out)
                .baseModel(files[0]).addModel(files[1]).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'t'");
        assertThat(out).doesNotExist();
    }

    /** Integer tensors are copied from the first model byte for byte, across several output buffers. */
    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"I64", "I32", "U8", "BOOL"})
    void integerTensorsPassThroughUnchangedBetweenMergedOnes(Dtype dtype) throws Exception {
        // 5000 elements of up to 8 bytes fill several of a 1024-element worker's output buffers.
        List<TensorSpec> specs = List.of(new TensorSpec("model.weight", Dtype.F32, List.of(3000L)),
                new TensorSpec("model.position_ids", dtype, List.of(5000L)),
                new TensorSpec("model.norm.weight", Dtype.F32, List.of(40L)));
        byte[][] integers = new byte[2][];
        Path[] files = new Path[2];
        Random random = new Random(5);
        for (int model = 0; model < 2; model++) {
            files[model] = dir.resolve("int-" + model + ".safetensors");
            integers[model] = new byte[5000 * dtype.byteSize()];
            random.nextBytes(integers[model]);
            try (SafetensorsWriter writer = SafetensorsWriter.single(files[model], Map.of(), specs)) {
                for (TensorSpec spec : specs) {
                    // the float tensors are zeros: only the integer bytes matter here
                    writer.write(ByteBuffer.wrap(spec.dtype() == dtype ? integers[model]
                            : new byte[(int) spec.byteSize()]));
                }
                writer.commit();
            }
        }
        Path out = dir.resolve("int-merged.safetensors");
        merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(files[0], Map.of("weight", c(0.5))).addModel(files[1], Map.of("weight", c(0.5))).build());
        try (SafetensorsReader reader = SafetensorsReader.open(out)) {
            ByteBuffer copied = ByteBuffer.allocate(integers[0].length);
            reader.read("model.position_ids", 0, copied);
            assertThat(copied.array()).isEqualTo(integers[0]);
            assertThat(reader.tensors()).extracting(TensorInfo::dtype).containsExactly(Dtype.F32, dtype, Dtype.F32);
        }
    }

    @Test
    void nonFiniteInputValuesAreCarriedAndCounted() throws Exception {
        Map<String, float[]> odd = Checkpoints.random(2, base);
        odd.get("lm_head.weight")[5] = Float.NaN;
        odd.get("model.norm.weight")[7] = Float.POSITIVE_INFINITY;
        Path withNaN = Checkpoints.write(dir.resolve("nan.safetensors"), odd, Dtype.F32, Map.of());
        Path clean = Checkpoints.write(dir.resolve("clean.safetensors"), base, Dtype.F32, Map.of());
        Path out = dir.resolve("merged.safetensors");
        MergeReport report = merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(clean, Map.of("weight", c(0.5))).addModel(withNaN, Map.of("weight", c(0.5))).build());

        assertThat(report.nonFiniteValues()).isEqualTo(2);
        Map<String, float[]> merged = Checkpoints.read(out);
        assertThat(merged.get("lm_head.weight")[5]).isNaN();
        assertThat(merged.get("model.norm.weight")[7]).isEqualTo(Float.POSITIVE_INFINITY);
        float[] expected = MergeReference.linear(new float[][] {base.get("lm_head.weight"),
                odd.get("lm_head.weight")}, new double[] {0.5, 0.5}, true);
        assertThat(merged.get("lm_head.weight")[6]).isEqualTo(expected[6]);

        // SLERP's norms take in the NaN, so every value of the tensor would be NaN: refused, not carried.
        Path never = dir.resolve("never.safetensors");
        assertThatThrownBy(() -> merger.merge(MergePlan.builder().method(MergeMethod.SLERP).output(never)
                .baseModel(clean).addModel(withNaN).parameter("t", c(0.5)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("element 0 merges to NaN from finite inputs");
        assertThat(never).doesNotExist();
    }

    @Test
    void temporaryFilesOfAKilledMergeAreRemovedByTheNextMergeIntoTheDirectory() throws Exception {
        Path[] files = write(Dtype.F32);
        Path out = Files.createDirectories(dir.resolve("out"));
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path stale = Files.write(out.resolve(".model.safetensors." + gone.pid() + "-1f2e3d4c.tmp"), new byte[4096]);
        Path beforePid = Files.write(out.resolve(".model.safetensors.0123456789abcdef.tmp"), new byte[16]);
        long running = ProcessHandle.current().parent().orElseThrow().pid();
        Path live = Files.write(out.resolve(".model.safetensors." + running + "-ab.tmp"), new byte[16]);
        Path otherTarget = Files.write(out.resolve(".notes.txt." + gone.pid() + "-ab.tmp"), new byte[16]);
        Path shardOfAnother = Files.write(out.resolve(".model-00001-of-00002.safetensors." + gone.pid() + "-ab.tmp"),
                new byte[16]);

        String log = captureStderr(() -> merger.merge(MergePlan.builder().method(MergeMethod.LINEAR)
                .output(out.resolve("model.safetensors"))
                .addModel(files[0], Map.of("weight", c(1))).addModel(files[1], Map.of("weight", c(1))).build()));

        assertThat(stale).doesNotExist();
        assertThat(beforePid).doesNotExist();
        assertThat(live).as("a running process's file is left").exists();
        assertThat(otherTarget).as("not a file this merge writes").exists();
        assertThat(shardOfAnother).as("a single-file merge writes no shards").exists();
        assertThat(log).contains("WARN").contains(stale + ": removed a temporary file of 4096 bytes")
                .contains(beforePid.toString()).contains(live + ": temporary file of a merge by running process");
        assertThat(out.resolve("model.safetensors")).exists();
    }

    private static String captureStderr(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** SIGTERM ({@code kill}; SIGINT runs the same shutdown hooks) to a JVM mid-merge: the hook cleans up. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aMergeStoppedBySigtermLeavesNoTemporaryFile() throws Exception {
        Path[] files = write(Dtype.F32);
        Path out = dir.resolve("stopped");
        Path started = dir.resolve("started");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), StalledMerge.class.getName(),
                files[0].toString(), files[1].toString(), out.resolve("model.safetensors").toString(),
                started.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.exists(started) || temporaryFiles(out).isEmpty()) {
                assertThat(child.isAlive()).as("child still merging; its log: %s", readQuietly(log)).isTrue();
                assertThat(System.nanoTime()).as("child started its merge in time").isLessThan(deadline);
                Thread.sleep(50);
            }
            child.destroy();
            assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("child exited after SIGTERM").isTrue();
            assertThat(child.exitValue()).as("ended by the signal, not by finishing").isEqualTo(128 + 15);
            assertThat(temporaryFiles(out)).as("log: %s", readQuietly(log)).isEmpty();
            assertThat(out).as("the directory the merge created is gone too").doesNotExist();
        } finally {
            child.destroyForcibly();
        }
    }

    private static List<Path> temporaryFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
