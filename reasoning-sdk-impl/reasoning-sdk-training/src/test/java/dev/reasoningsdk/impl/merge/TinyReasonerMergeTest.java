package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.merge.internal.OnnxModel;
import dev.reasoningsdk.impl.merge.internal.SafetensorsReader;
import dev.reasoningsdk.impl.merge.internal.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merges of the real tiny-reasoner pair (base and its fine-tuned copy), in safetensors and ONNX. */
class TinyReasonerMergeTest {

    @TempDir
    Path dir;

    private static MergePlan.Builder halfAndHalf(Path base, Path tuned) {
        return MergePlan.builder().method(MergeMethod.LINEAR)
                .addModel(base, Map.of("weight", RatioSchedule.constant(0.5)))
                .addModel(tuned, Map.of("weight", RatioSchedule.constant(0.5)));
    }

    @Test
    void averagingAtOneHalfIsTheElementwiseMean() throws Exception {
        Path base = ProjectData.require("models/tiny-reasoner-tuned/base.safetensors");
        Path tuned = ProjectData.require("models/tiny-reasoner-tuned/tuned.safetensors");
        Path out = dir.resolve("mean.safetensors");
        MergeReport report = StreamingModelMerger.create().merge(halfAndHalf(base, tuned).output(out).build());

        assertThat(report.tensors()).isEqualTo(77);
        Map<String, float[]> b = Checkpoints.read(base);
        Map<String, float[]> t = Checkpoints.read(tuned);
        Map<String, float[]> merged = Checkpoints.read(out);
        assertThat(merged.keySet()).containsExactlyElementsOf(b.keySet());
        for (String name : b.keySet()) {
            float[] mean = new float[b.get(name).length];
            for (int j = 0; j < mean.length; j++) {
                mean[j] = (b.get(name)[j] + t.get(name)[j]) / 2f;
            }
            assertThat(merged.get(name)).as(name).isEqualTo(mean);
        }
        try (SafetensorsReader reader = SafetensorsReader.open(out)) {
            assertThat(reader.metadata()).containsEntry("model", "tiny-reasoner");
        }
    }

    @Test
    void onnxMergeRewritesOnlyInitializersAndLoadsInOnnxRuntime() throws Exception {
        Path base = ProjectData.require("models/tiny-reasoner/tiny-reasoner.onnx");
        Path tuned = ProjectData.require("models/tiny-reasoner-tuned/tiny-reasoner-tuned.onnx");
        StreamingModelMerger merger = StreamingModelMerger.create();
        byte[] merged = merger.mergeOnnx(halfAndHalf(base, tuned).build());

        OnnxModel b = OnnxModel.read(base);
        OnnxModel t = OnnxModel.read(tuned);
        OnnxModel m = OnnxModel.parse(Path.of("merged.onnx"), merged);
        assertThat(merged.length).isEqualTo(Files.size(base));
        assertThat(m.tensors()).hasSize(77);
        b.requireSameGraph(m);
        for (TensorInfo tensor : b.tensors()) {
            float[] x = floats(b, tensor);
            float[] y = floats(t, tensor);
            float[] z = floats(m, tensor);
            for (int j = 0; j < x.length; j++) {
                assertThat(z[j]).isEqualTo((x[j] + y[j]) / 2f);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(merged, options)) {
                assertThat(session.getInputNames()).contains("input_ids");
            }
        }

        Path out = dir.resolve("merged.onnx");
        merger.merge(halfAndHalf(base, tuned).output(out).build());
        assertThat(Files.readAllBytes(out)).isEqualTo(merged);
    }

    @Test
    void onnxModelsWithDifferentGraphsAreRefused() throws Exception {
        Path base = ProjectData.require("models/tiny-reasoner/tiny-reasoner.onnx");
        byte[] bytes = Files.readAllBytes(base);
        // Flip a byte of the node list, after the initializers: "/m/..." node names live there.
        int at = indexOf(bytes, "/m/head/MatMul".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        bytes[at + 3] = 'X';
        Path changed = Files.write(dir.resolve("changed.onnx"), bytes);
        assertThatThrownBy(() -> StreamingModelMerger.create().mergeOnnx(halfAndHalf(base, changed).build()))
                .isInstanceOf(MergeException.class).hasMessageContaining("graph differs");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static float[] floats(OnnxModel model, TensorInfo tensor) {
        ByteBuffer buffer = ByteBuffer.allocate((int) tensor.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        model.read(tensor.name(), 0, buffer);
        buffer.flip();
        float[] values = new float[(int) tensor.elementCount()];
        buffer.asFloatBuffer().get(values);
        return values;
    }
}
