package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.SafetensorsHeader;
import dev.reasoningsdk.impl.merge.internal.SafetensorsReader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per check of the reference implementation, each also proving a refused input leaves no output; then the
 * merge-level refusals (an output that would replace an input, a FIFO or a directory given as a file, parameters
 * beyond float range, merged values that overflow), each proving nothing was changed or created.
 */
class HostileCheckpointTest {

    @TempDir
    Path dir;

    private final StreamingModelMerger merger = StreamingModelMerger.builder().chunkElements(1024).threads(1).build();

    static byte[] file(long declaredLength, byte[] header, int dataBytes) {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(declaredLength);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix.array());
        out.writeBytes(header);
        out.writeBytes(new byte[dataBytes]);
        return out.toByteArray();
    }

    static byte[] file(String header, int dataBytes) {
        byte[] bytes = header.getBytes(StandardCharsets.UTF_8);
        return file(bytes.length, bytes, dataBytes);
    }

    /** Writes the bytes, checks the header is refused naming the file and the check, and a merge leaves nothing. */
    private void assertRefused(byte[] bytes, String... messageParts) throws Exception {
        Path inputs = Files.createDirectories(dir.resolve("in"));
        Path hostile = inputs.resolve("hostile.safetensors");
        Files.write(hostile, bytes);
        assertThatThrownBy(() -> SafetensorsHeader.read(hostile)).isInstanceOf(MergeException.class)
                .hasMessageContaining("hostile.safetensors").hasMessageContaining(String.join("", messageParts));

        Path good = Checkpoints.write(inputs.resolve("good.safetensors"), Checkpoints.random(1, null), Dtype.F32,
                Map.of());
        Path outDir = Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> StreamingModelMerger.create().merge(MergePlan.builder()
                .method(MergeMethod.LINEAR).output(outDir.resolve("merged.safetensors"))
                .addModel(good, Map.of("weight", RatioSchedule.constant(1)))
                .addModel(hostile, Map.of("weight", RatioSchedule.constant(1))).build()))
                .isInstanceOf(MergeException.class).hasMessageContaining("hostile.safetensors");
        try (Stream<Path> left = Files.list(outDir)) {
            assertThat(left).as("nothing written").isEmpty();
        }
    }

    @Test
    void fileShorterThanEightBytes() throws Exception {
        assertRefused(new byte[] {1, 0, 0}, "shorter than the 8-byte header length");
    }

    @Test
    void headerLengthOverTheLimit() throws Exception {
        assertRefused(file(100_000_001L, "{}".getBytes(StandardCharsets.UTF_8), 0), "exceeds the limit");
    }

    @Test
    void negativeHeaderLengthIsOverTheLimit() throws Exception {
        assertRefused(file(-1L, "{}".getBytes(StandardCharsets.UTF_8), 0), "exceeds the limit");
    }

    @Test
    void headerRunningPastTheFileEnd() throws Exception {
        assertRefused(file(500, "{}".getBytes(StandardCharsets.UTF_8), 0), "runs past the end of the file");
    }

    @Test
    void headerNotUtf8() throws Exception {
        assertRefused(file(4, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, 0), "not valid UTF-8");
    }

    @Test
    void headerNotJson() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\"", 0), "not valid JSON");
    }

    @Test
    void headerNotAnObject() throws Exception {
        assertRefused(file("[1, 2]", 0), "not a JSON object");
    }

    @Test
    void schemaViolation() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8),
                "tensor 'a': shape holds -2");
    }

    @Test
    void unknownDtype() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F31\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8),
                "tensor 'a': unknown dtype 'F31'");
    }

    @Test
    void duplicateTensorNames() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                + " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "Duplicate field 'a'");
    }

    @Test
    void gapBetweenTensors() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", 12),
                "tensor 'b': data_offsets [8, 12] are not contiguous");
    }

    @Test
    void overlappingTensors() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12),
                "tensor 'b': data_offsets [4, 12] are not contiguous");
    }

    @Test
    void dataNotStartingAtZero() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8),
                "tensor 'a': data_offsets [4, 8] are not contiguous");
    }

    @Test
    void reversedRange() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}}", 8),
                "tensor 'a': data_offsets [8, 0] are reversed");
    }

    @Test
    void shapeTimesDtypeOverflows() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4],"
                + " \"data_offsets\": [0, 8]}}", 8), "tensor 'a': shape [4611686018427387904, 4] x F32 overflows");
    }

    @Test
    void byteSpanDiffersFromShapeTimesDtype() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8),
                "tensor 'a': shape [3] x F32 is 12 bytes but its data_offsets span 8");
    }

    @Test
    void dataNotEndingAtTheFileEnd() throws Exception {
        assertRefused(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 12),
                "tensor data ends at byte");
    }

    @Test
    void shardNamesThatEscapeTheDirectoryAreRefused() throws Exception {
        Path outside = Checkpoints.write(dir.resolve("outside.safetensors"), Checkpoints.random(1, null), Dtype.F32,
                Map.of());
        Path sharded = Files.createDirectories(dir.resolve("sharded"));
        for (String escape : new String[] {"../outside.safetensors", outside.toAbsolutePath().toString()}) {
            Files.writeString(sharded.resolve(SafetensorsReader.INDEX_FILE),
                    "{\"metadata\": {}, \"weight_map\": {\"lm_head.weight\": \"" + escape + "\"}}");
            assertThatThrownBy(() -> SafetensorsReader.open(sharded)).isInstanceOf(MergeException.class)
                    .hasMessageContaining("path traversal");
        }
        Files.createSymbolicLink(sharded.resolve("link.safetensors"), outside);
        Files.writeString(sharded.resolve(SafetensorsReader.INDEX_FILE),
                "{\"metadata\": {}, \"weight_map\": {\"lm_head.weight\": \"link.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(sharded)).isInstanceOf(MergeException.class)
                .hasMessageContaining("path traversal");
    }

    /** An index is parsed into a tree, so a huge one could exhaust the heap; it is bounded like a header. */
    @Test
    void indexOverTheHeaderLimitIsRefusedBeforeItIsParsed() throws Exception {
        Path sharded = Files.createDirectories(dir.resolve("huge-index"));
        Path index = sharded.resolve(SafetensorsReader.INDEX_FILE);
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(index.toFile(), "rw")) {
            file.setLength(SafetensorsHeader.MAX_HEADER_SIZE + 1); // sparse: no disk is used
        }
        assertThatThrownBy(() -> SafetensorsReader.open(sharded)).isInstanceOf(MergeException.class)
                .hasMessage(index + ": index is 100000001 bytes, more than the limit of 100000000 bytes (a real"
                        + " model's weight map is well under 1 MB)");
    }

    @Test
    void validFileRoundTripsAndMapsPerTensor() throws Exception {
        Map<String, float[]> tensors = Checkpoints.random(5, null);
        Path file = Checkpoints.write(dir.resolve("ok.safetensors"), tensors, Dtype.F32, Map.of("k", "v"));
        SafetensorsHeader header = SafetensorsHeader.read(file);
        assertThat(header.metadata()).isEqualTo(Map.of("k", "v"));
        assertThat(header.dataStart() % 8).as("header padded to 8 bytes").isZero();
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            ByteBuffer mapped = reader.map("lm_head.weight");
            float[] values = new float[mapped.remaining() / 4];
            mapped.asFloatBuffer().get(values);
            assertThat(values).isEqualTo(tensors.get("lm_head.weight"));
        }
    }

    private Path model(String name, long seed) {
        return Checkpoints.write(dir.resolve(name), Checkpoints.random(seed, null), Dtype.F32, Map.of());
    }

    /** A plain average of the inputs. */
    private static MergePlan average(Path output, long maxShardBytes, Path... inputs) {
        MergePlan.Builder plan = MergePlan.builder().method(MergeMethod.LINEAR).output(output)
                .maxShardBytes(maxShardBytes);
        for (Path input : inputs) {
            plan.addModel(input, Map.of("weight", RatioSchedule.constant(1)));
        }
        return plan.build();
    }

    /** Every file under the temporary directory with its bytes, so a refusal can be shown to have changed nothing. */
    private Map<String, String> snapshot() throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.toList()) {
                files.put(dir.relativize(path).toString(), Files.isRegularFile(path)
                        ? Base64.getEncoder().encodeToString(Files.readAllBytes(path)) : "dir");
            }
        }
        return files;
    }

    private void assertRefusedUnchanged(MergePlan plan, String... messageParts) throws Exception {
        Map<String, String> before = snapshot();
        assertThatThrownBy(() -> merger.merge(plan)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
        assertThat(snapshot()).as("nothing changed or created").isEqualTo(before);
    }

    @Test
    void outputThatWouldReplaceTheInputOfAModelDirectoryIsRefused() throws Exception {
        Path modelA = Files.createDirectories(dir.resolve("modelA"));
        Path single = Checkpoints.write(modelA.resolve("model.safetensors"), Checkpoints.random(1, null), Dtype.F32,
                Map.of());
        Path other = model("other.safetensors", 2);
        // As the CLI builds it (OUTDIR/model.safetensors), and with the directory itself as the output.
        assertRefusedUnchanged(average(single, 0, modelA, other), single.toString(), "is an input",
                "read as part of input " + modelA);
        assertRefusedUnchanged(average(modelA, 0, modelA, other), single.toString(), "is an input");
    }

    @Test
    void shardedOutputThatWouldReplaceAShardedInputIsRefused() throws Exception {
        Path sharded = dir.resolve("sharded");
        merger.merge(average(sharded, 20_000, model("a.safetensors", 1)));
        Path other = model("other.safetensors", 2);
        Path index = sharded.resolve(SafetensorsReader.INDEX_FILE);
        // The input named by its index, and through a symbolic link to its directory.
        assertRefusedUnchanged(average(sharded, 20_000, index, other),
                sharded.resolve("model-00001-of-00004.safetensors").toString(), "is an input");
        Path link = Files.createSymbolicLink(dir.resolve("link"), sharded);
        assertRefusedUnchanged(average(sharded, 20_000, link, other), "is an input");
        // A different shard count still writes the index.
        assertRefusedUnchanged(average(sharded, 1_000_000, link, other), index.toString(), "is an input");
    }

    @Test
    void outputReachedThroughASymbolicLinkIsRefused() throws Exception {
        Path modelA = Files.createDirectories(dir.resolve("modelA"));
        Path single = Checkpoints.write(modelA.resolve("model.safetensors"), Checkpoints.random(1, null), Dtype.F32,
                Map.of());
        Path outDir = Files.createSymbolicLink(dir.resolve("out"), modelA);
        assertRefusedUnchanged(average(outDir.resolve("model.safetensors"), 0, single, model("b.safetensors", 2)),
                "is an input (as " + single.toRealPath() + ")");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fifoGivenAsAModelIsRefusedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("pipe.safetensors");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo").isTrue();
        Path good = model("good.safetensors", 1);
        // Opening the FIFO to read would block until a writer comes: the refusal must come first.
        assertRefusedUnchanged(average(dir.resolve("out").resolve("merged.safetensors"), 0, good, fifo),
                fifo.toString(), "is a FIFO, socket or device, not a regular file");
        Path config = Files.writeString(dir.resolve("merge.yml"), "merge_method: linear\nmodels:\n"
                + "  - model: good.safetensors\n    parameters: {weight: 1}\n"
                + "  - model: pipe.safetensors\n    parameters: {weight: 1}\n");
        assertThatThrownBy(() -> MergeConfig.load(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(config.toString(), "models[1].model 'pipe.safetensors' is a FIFO");
        Path sharded = Files.createDirectories(dir.resolve("sharded"));
        Files.createSymbolicLink(sharded.resolve("pipe.safetensors"), fifo);
        Files.writeString(sharded.resolve(SafetensorsReader.INDEX_FILE),
                "{\"metadata\": {}, \"weight_map\": {\"lm_head.weight\": \"pipe.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(sharded)).isInstanceOf(MergeException.class)
                .hasMessageContaining("shard 'pipe.safetensors' is a FIFO");
    }

    @Test
    void directoryWhereAFileIsExpectedIsSaidSo() throws Exception {
        Path good = model("good.safetensors", 1);
        Path holder = Files.createDirectories(dir.resolve("holder").resolve("model.safetensors"));
        assertRefusedUnchanged(average(dir.resolve("out.safetensors"), 0, good, holder.getParent()),
                holder.toString(), "is a directory, not a file");
        Path sharded = Files.createDirectories(dir.resolve("sharded").resolve("sub.safetensors")).getParent();
        Files.writeString(sharded.resolve(SafetensorsReader.INDEX_FILE),
                "{\"metadata\": {}, \"weight_map\": {\"lm_head.weight\": \"sub.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(sharded)).isInstanceOf(MergeException.class)
                .hasMessageContaining("shard 'sub.safetensors' is a directory, not a file");
        assertRefusedUnchanged(average(good.resolve("model.safetensors"), 0, good, model("b.safetensors", 2)),
                good + ": is a file, but the output " + good.resolve("model.safetensors"));
        Path onnxDir = Files.createDirectories(dir.resolve("model.onnx"));
        assertRefusedUnchanged(MergePlan.builder().method(MergeMethod.LINEAR).output(dir.resolve("o/m.onnx"))
                .addModel(onnxDir, Map.of("weight", RatioSchedule.constant(1))).build(),
                onnxDir.toString(), "is a directory, not a file");
    }

    @Test
    void refusedMergesCreateNoOutputDirectory() throws Exception {
        Path a = model("a.safetensors", 1);
        Path b = model("b.safetensors", 2);
        // Weights that cancel out are refused per tensor, which used to happen after the output directory existed.
        assertRefusedUnchanged(MergePlan.builder().method(MergeMethod.LINEAR)
                .output(dir.resolve("new").resolve("deeper").resolve("merged.safetensors"))
                .addModel(a, Map.of("weight", RatioSchedule.constant(1)))
                .addModel(b, Map.of("weight", RatioSchedule.constant(-1))).build(), "sum to 0");
    }

    @Test
    void parametersBeyondFloatRangeAreRefused() throws Exception {
        Path a = model("a.safetensors", 1);
        Path b = model("b.safetensors", 2);
        assertRefusedUnchanged(MergePlan.builder().method(MergeMethod.LINEAR).output(dir.resolve("o/m.safetensors"))
                .addModel(a, Map.of("weight", RatioSchedule.constant(1e308)))
                .addModel(b, Map.of("weight", RatioSchedule.constant(1e308))).build(),
                "parameter 'weight' of model " + a, "is 1.0E308", "finite and at most 3.4028235E38");
        // Each weight fits a float, their sum does not.
        assertRefusedUnchanged(MergePlan.builder().method(MergeMethod.LINEAR).output(dir.resolve("o/m.safetensors"))
                .addModel(a, Map.of("weight", RatioSchedule.constant(3e38)))
                .addModel(b, Map.of("weight", RatioSchedule.constant(3e38))).build(), "sum to Infinity");
        for (String weight : new String[] {"1.0e+308", ".inf", ".nan"}) {
            Path config = Files.writeString(dir.resolve("merge.yml"), "merge_method: linear\nmodels:\n"
                    + "  - model: a.safetensors\n    parameters: {weight: " + weight + "}\n"
                    + "  - model: b.safetensors\n    parameters: {weight: 1}\n");
            assertThatThrownBy(() -> MergeConfig.load(config)).as(weight)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll(config.toString(), "models[0].parameters.weight is ");
        }
    }

    @Test
    void mergedValuesThatOverflowWhereTheInputsAreFiniteAreRefused() throws Exception {
        Map<String, float[]> big = Checkpoints.random(1, null);
        big.get("lm_head.weight")[1234] = 3e38f;
        Path a = Checkpoints.write(dir.resolve("a.safetensors"), big, Dtype.F32, Map.of());
        Path b = Checkpoints.write(dir.resolve("b.safetensors"), big, Dtype.F32, Map.of());
        Path out = dir.resolve("o").resolve("m.safetensors");
        assertRefusedUnchanged(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(a, Map.of("weight", RatioSchedule.constant(1)))
                .addModel(b, Map.of("weight", RatioSchedule.constant(1)))
                .parameter("normalize", RatioSchedule.constant(0)).build(),
                out.toString(), "tensor 'lm_head.weight' element 1234 merges to Infinity from finite inputs");
        // Finite in float, beyond F16.
        big.get("lm_head.weight")[1234] = 70_000f;
        Path c = Checkpoints.write(dir.resolve("c.safetensors"), big, Dtype.F32, Map.of());
        assertRefusedUnchanged(MergePlan.builder().method(MergeMethod.LINEAR).output(out).outputDtype("F16")
                .addModel(c, Map.of("weight", RatioSchedule.constant(1))).build(),
                "element 1234 merges to 70000.0, beyond F16's range, from finite inputs");
    }
}
