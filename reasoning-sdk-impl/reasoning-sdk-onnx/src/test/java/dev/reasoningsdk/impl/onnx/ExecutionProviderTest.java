package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExecutionProviderTest {

    @AfterEach
    void clearTheSwitch() {
        System.clearProperty(ExecutionProvider.PROPERTY);
    }

    @Test
    void parsesEveryNameInAnyCaseAndRefusesOthersNamingTheSetting() {
        assertThat(ExecutionProvider.parse(" cpu ", "x")).isEqualTo(ExecutionProvider.CPU);
        assertThat(ExecutionProvider.parse("CUDA", "x")).isEqualTo(ExecutionProvider.CUDA);
        assertThat(ExecutionProvider.parse("Auto", "x")).isEqualTo(ExecutionProvider.AUTO);
        assertThatThrownBy(() -> ExecutionProvider.parse("gpu", "--provider"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--provider must be auto, cpu or cuda, was 'gpu'");
    }

    @Test
    void theSystemPropertySetsTheDefaultOfEveryFactoryAndTinyReasoner() {
        System.setProperty(ExecutionProvider.PROPERTY, "cpu");
        assertThat(ExecutionProvider.configured()).isEqualTo(ExecutionProvider.CPU);
        try (OnnxSessionFactory factory = OnnxSessionFactory.create()) {
            assertThat(factory.executionProvider()).isEqualTo(ExecutionProvider.CPU);
        }
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            assertThat(model.providerUsed()).isEqualTo("CPU");
        }
        System.setProperty(ExecutionProvider.PROPERTY, "tpu");
        assertThatThrownBy(ExecutionProvider::configured).hasMessageContaining("system property "
                + ExecutionProvider.PROPERTY);
    }

    @Test
    void autoGoesStraightToCpuWithoutAskingOnnxRuntimeWhereNoNvidiaDriverIsLoaded() {
        boolean driver = Files.exists(Path.of("/proc/driver/nvidia/version"));
        try (OnnxSessionFactory factory = OnnxSessionFactory.builder().executionProvider(ExecutionProvider.AUTO)
                .build();
             OnnxModelSession session = factory.open(ModelSource.file(SharedModels.tinyReasoner()))) {
            if (driver) {
                assertThat(session.fallbackReason()).isNotEqualTo(java.util.Optional.of(
                        "no NVIDIA driver (/proc/driver/nvidia/version is absent)"));
            } else {
                assertThat(session.providerUsed()).isEqualTo("CPU");
                assertThat(session.fallbackReason()).hasValue(
                        "no NVIDIA driver (/proc/driver/nvidia/version is absent)");
            }
        }
    }
}
