package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per check of the reference implementation, each also proving a refused input leaves no output. */
class HostileCheckpointTest {

    @TempDir
    Path dir;

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
}
