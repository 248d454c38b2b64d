package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelFileTest {

    private static OnnxModelFile tinyReasoner;

    @BeforeAll
    static void readModel() {
        tinyReasoner = OnnxModelFile.read(SharedModels.tinyReasoner());
    }

    @Test
    void listsTheTinyReasonersInitializersAndMetadata() {
        assertThat(tinyReasoner.initializers()).hasSize(77);
        assertThat(tinyReasoner.metadata()).containsKeys("vocab", "bos_id", "eos_id", "pad_id", "max_len",
                "n_layer", "d_model", "version");
        assertThat(tinyReasoner.metadata().get("max_len")).isEqualTo("320");
        long floats = tinyReasoner.initializers().stream().filter(OnnxInitializer::isFloat)
                .mapToLong(OnnxInitializer::elementCount).sum();
        // The README's parameter count; every weight is a FLOAT initializer.
        assertThat(floats).isGreaterThanOrEqualTo(3_746_624L);
    }

    @Test
    void readsFloatInitializersWithTheirShape() {
        OnnxInitializer largest = tinyReasoner.initializers().stream().filter(OnnxInitializer::isFloat)
                .max((a, b) -> Long.compare(a.elementCount(), b.elementCount())).orElseThrow();
        float[] values = tinyReasoner.floatInitializer(largest.name());
        assertThat(values).hasSize(Math.toIntExact(largest.elementCount()));
        assertThat(largest.dims().stream().reduce(1L, Math::multiplyExact)).isEqualTo(largest.elementCount());
        assertThat(values).matches(v -> Arrays.stream(toDoubles(v)).allMatch(Double::isFinite), "all finite")
                .matches(v -> Arrays.stream(toDoubles(v)).anyMatch(x -> x != 0), "not all zero");
    }

    @Test
    void roundTripGivesIdenticalLogitsInOnnxRuntime() {
        byte[] rewritten = tinyReasoner.withFloatInitializers(Map.of()).toBytes();
        OnnxModelFile reread = OnnxModelFile.parse("rewritten", rewritten);
        assertThat(reread.initializers()).isEqualTo(tinyReasoner.initializers());
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession original = factory.open(ModelSource.file(SharedModels.tinyReasoner()));
             OnnxModelSession copy = factory.open(ModelSource.bytes("rewritten", rewritten))) {
            assertThat(OnnxSessionFactoryTest.firstLogits(copy)).containsExactly(
                    OnnxSessionFactoryTest.firstLogits(original));
            assertThat(copy.metadata()).isEqualTo(original.metadata());
        }
    }

    @Test
    void replacedInitializersAreWrittenAndUsed(@TempDir Path dir) {
        String name = tinyReasoner.initializers().stream().filter(OnnxInitializer::isFloat)
                .filter(i -> i.dims().size() == 2).findFirst().orElseThrow().name();
        float[] original = tinyReasoner.floatInitializer(name);
        float[] doubled = original.clone();
        for (int i = 0; i < doubled.length; i++) {
            doubled[i] *= 2;
        }
        OnnxModelFile changed = tinyReasoner.withFloatInitializers(Map.of(name, doubled))
                .withMetadata(Map.of("merged_by", "test"));
        Path file = dir.resolve("changed.onnx");
        changed.write(file);
        OnnxModelFile reread = OnnxModelFile.read(file);
        assertThat(reread.floatInitializer(name)).containsExactly(doubled);
        assertThat(reread.metadata()).containsEntry("merged_by", "test").containsKey("vocab");
        assertThat(tinyReasoner.floatInitializer(name)).containsExactly(original);
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession before = factory.open(ModelSource.file(SharedModels.tinyReasoner()));
             OnnxModelSession after = factory.open(ModelSource.file(file))) {
            assertThat(OnnxSessionFactoryTest.firstLogits(after))
                    .isNotEqualTo(OnnxSessionFactoryTest.firstLogits(before));
        }
    }

    @Test
    void replacementsMustKeepShapeAndType() {
        String name = tinyReasoner.initializers().stream().filter(OnnxInitializer::isFloat).findFirst()
                .orElseThrow().name();
        assertThatThrownBy(() -> tinyReasoner.withFloatInitializers(Map.of(name, new float[3])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name).hasMessageContaining("shape");
        assertThatThrownBy(() -> tinyReasoner.withFloatInitializers(Map.of("no.such.weight", new float[1])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no.such.weight");
        tinyReasoner.initializers().stream().filter(i -> !i.isFloat()).findFirst().ifPresent(other ->
                assertThatThrownBy(() -> tinyReasoner.floatInitializer(other.name()))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not FLOAT"));
    }

    @Test
    void garbageEmptyAndTruncatedFilesFailWithTheModelName(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> OnnxModelFile.parse("empty", new byte[0]))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> OnnxModelFile.parse("text", "hello, world".getBytes()))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("text").hasMessageContaining("ONNX");
        byte[] whole = Files.readAllBytes(SharedModels.tinyReasoner());
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> OnnxModelFile.read(truncated))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("truncated.onnx");
        assertThatThrownBy(() -> OnnxModelFile.read(dir.resolve("absent.onnx")))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("absent.onnx")
                .hasMessageContaining("not found");
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
