package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.reasoningsdk.api.ModelLoadException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxSessionFactoryTest {

    private static final OnnxSessionFactory.CudaInstaller NO_CUDA = (options, device) -> {
        throw new OrtException("libcudart.so.12: cannot open shared object file");
    };

    @Test
    void autoFallsBackToCpuWithOneWarning() {
        String[] stderr = new String[1];
        try (OnnxSessionFactory factory = OnnxSessionFactory.builder().intraOpThreads(1).cudaInstaller(NO_CUDA).build()) {
            stderr[0] = captureStderr(() -> {
                try (OnnxModelSession first = factory.open(ModelSource.file(SharedModels.tinyReasoner()));
                     OnnxModelSession second = factory.open(ModelSource.file(SharedModels.tinyReasoner()))) {
                    assertThat(first.providerUsed()).isEqualTo("CPU");
                    assertThat(second.providerUsed()).isEqualTo("CPU");
                    assertThat(first.fallbackReason()).hasValueSatisfying(r -> assertThat(r).contains("libcudart"));
                    assertThat(second.fallbackReason()).isEqualTo(first.fallbackReason());
                }
                return null;
            });
        }
        assertThat(stderr[0].lines().filter(l -> l.contains("WARN"))).singleElement().satisfies(line ->
                assertThat(line).contains("CUDA", "libcudart", "CPU"));
    }

    @Test
    void autoOnThisMachineRunsOnTheProviderItReports() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.builder().intraOpThreads(1).build();
             OnnxModelSession session = factory.open(ModelSource.file(SharedModels.tinyReasoner()))) {
            // On a machine without CUDA (CI, this one) the real addCUDA fails and AUTO must fall back with a reason.
            assertThat(session.providerUsed()).isIn("CUDA", "CPU");
            assertThat(session.fallbackReason().isPresent()).isEqualTo(session.providerUsed().equals("CPU"));
            assertThat(firstLogits(session)).hasSize(99);
        }
    }

    @Test
    void explicitCudaFailsClearlyWhenCudaIsMissing() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.builder().executionProvider(ExecutionProvider.CUDA)
                .cudaDeviceId(1).cudaInstaller(NO_CUDA).build()) {
            assertThatThrownBy(() -> factory.open(ModelSource.file(SharedModels.tinyReasoner())))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("tiny-reasoner.onnx")
                    .hasMessageContaining("CUDA execution provider (device 1)")
                    .hasMessageContaining("libcudart")
                    .satisfies(e -> assertThat(((ModelLoadException) e).isRetryable()).isFalse());
        }
    }

    @Test
    void cpuSessionRunsTheTinyReasonerAndExposesMetadata() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession session = factory.open(ModelSource.file(SharedModels.tinyReasoner()))) {
            assertThat(session.providerUsed()).isEqualTo("CPU");
            assertThat(session.fallbackReason()).isEmpty();
            assertThat(session.modelName()).endsWith("tiny-reasoner.onnx");
            assertThat(session.metadata()).containsKeys("vocab", "bos_id", "eos_id", "max_len");
            assertThat(session.session().getInputNames()).containsExactly("input_ids");
            float[] logits = firstLogits(session);
            assertThat(logits).hasSize(99);
            assertThat(Arrays.stream(toDoubles(logits)).allMatch(Double::isFinite)).isTrue();
        }
    }

    @Test
    void missingFileAndResourceNameTheModel() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            assertThatThrownBy(() -> factory.open(ModelSource.file(Path.of("no/such/model.onnx"))))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("no/such/model.onnx").hasMessageContaining("not found");
            assertThatThrownBy(() -> factory.open(ModelSource.classpath("/models/absent.onnx")))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("classpath:/models/absent.onnx").hasMessageContaining("not found");
        }
    }

    /** A directory given as a model file was reported as "not found: no such file", though it was there. */
    @Test
    void aDirectoryGivenAsAModelFileIsNamedAsOne(@TempDir Path dir) {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            assertThatThrownBy(() -> factory.open(ModelSource.file(dir))).isInstanceOf(ModelLoadException.class)
                    .hasMessage("model " + dir + " is a directory, not a model file");
        }
    }

    @Test
    void corruptBytesNameTheModelAndOrtsReason() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            // Bytes that are not even protobuf fail the external-data check, which must parse them, before ORT.
            byte[] garbage = "this is not a protobuf".getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> factory.open(ModelSource.bytes("garbage-model", garbage)))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageStartingWith("model garbage-model is not an ONNX model: ");
            byte[] noGraph = dev.reasoningsdk.impl.onnx.internal.proto.ModelProto.newBuilder().setIrVersion(8).build()
                    .toByteArray();
            assertThatThrownBy(() -> factory.open(ModelSource.bytes("graphless-model", noGraph)))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("graphless-model")
                    .hasMessageContaining("could not be loaded by ONNX Runtime")
                    .hasCauseInstanceOf(OrtException.class);
        }
    }

    @Test
    void opensAClasspathModel() {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
             OnnxModelSession session = factory.open(ModelSource.classpath("/all-minilm-l6-v2-q.onnx"))) {
            assertThat(session.modelName()).isEqualTo("classpath:/all-minilm-l6-v2-q.onnx");
            assertThat(session.session().getInputNames()).contains("input_ids", "attention_mask");
        }
    }

    @Test
    void closingTwiceIsHarmlessAndTheFactoryClosesItsSessions() {
        OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
        OnnxModelSession session = factory.open(ModelSource.file(SharedModels.tinyReasoner()));
        OnnxModelSession closedEarly = factory.open(ModelSource.file(SharedModels.tinyReasoner()));
        closedEarly.close();
        closedEarly.close();
        factory.close();
        factory.close();
        assertThat(session.isClosed()).isTrue();
        assertThatThrownBy(session::session).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tiny-reasoner.onnx");
        assertThatThrownBy(() -> factory.open(ModelSource.file(SharedModels.tinyReasoner())))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderRejectsOutOfRangeSettings() {
        assertThatThrownBy(() -> OnnxSessionFactory.builder().intraOpThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("intraOpThreads");
        assertThatThrownBy(() -> OnnxSessionFactory.builder().cudaDeviceId(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cudaDeviceId");
        assertThatThrownBy(() -> OnnxSessionFactory.builder().executionProvider(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("executionProvider");
        assertThatThrownBy(() -> ModelSource.bytes(" ", new byte[1])).isInstanceOf(IllegalArgumentException.class);
    }

    /** Next-token logits after {@code <bos>} from the tiny reasoner. */
    static float[] firstLogits(OnnxModelSession session) {
        try (OnnxTensor ids = OnnxTensor.createTensor(session.environment(), new long[][] {{1, 53, 30, 4}});
             OrtSession.Result result = session.session().run(Map.of("input_ids", ids))) {
            float[][][] logits = (float[][][]) result.get("logits").orElseThrow().getValue();
            return logits[0][3];
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    private static String captureStderr(Supplier<Void> action) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.get();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
