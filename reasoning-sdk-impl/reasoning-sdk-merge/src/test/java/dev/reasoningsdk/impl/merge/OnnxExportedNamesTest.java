package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.merge.internal.OnnxModel;
import dev.reasoningsdk.impl.onnx.ExternalDataModels;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch ONNX exporter names most linear weights {@code onnx::MatMul_N} (the project's own tiny reasoner has
 * {@code onnx::MatMul_871} for block 0's qkv weight), a name with no layer or module in it. A per-layer or per-name
 * parameter used to give such weights the outside-layer or fallback value without a word, so a SLERP gradient over
 * an exported model merged its biases by layer and its weights all alike.
 */
class OnnxExportedNamesTest {

    private static final String WEIGHT = "onnx::MatMul_7";

    @TempDir
    Path dir;

    private Path model(String name, float... weights) throws Exception {
        ByteBuffer raw = ByteBuffer.allocate(4 * weights.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(weights);
        TensorProto w = TensorProto.newBuilder().setName(WEIGHT).addDims(2).addDims(3)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array())).build();
        return Files.write(dir.resolve(name), ExternalDataModels.affine(w).toByteArray());
    }

    @Test
    void aGradientOverAnExporterNamedWeightIsRefused() throws Exception {
        Path base = model("base.onnx", 1, 2, 3, 4, 5, 6);
        Path tuned = model("tuned.onnx", 2, 3, 4, 5, 6, 7);
        MergePlan plan = MergePlan.builder().method(MergeMethod.SLERP).baseModel(base).addModel(tuned)
                .parameter("t", new RatioSchedule.Gradient(List.of(0.0, 1.0), 0.0)).build();
        assertThatThrownBy(() -> StreamingModelMerger.create().mergeOnnx(plan))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(base + ": initializer 'onnx::MatMul_7' has a name the ONNX exporter made up, with no"
                        + " layer or module in it, but parameter 't' varies by layer, so it would take the value for"
                        + " tensors outside the layers; give the parameter one value, add a filter entry that names"
                        + " this initializer, or merge the safetensors checkpoints");
    }

    @Test
    void aFilterListThatMissesAnExporterNamedWeightIsRefusedAndOneNamingItIsHonoured() throws Exception {
        Path first = model("first.onnx", 1, 2, 3, 4, 5, 6);
        Path second = model("second.onnx", 5, 6, 7, 8, 9, 10);
        RatioSchedule byModule = new RatioSchedule.Filtered(
                List.of(new RatioSchedule.NameFilter("self_attn", RatioSchedule.constant(0.9))),
                RatioSchedule.constant(0.5));
        MergePlan missing = MergePlan.builder().method(MergeMethod.LINEAR)
                .addModel(first, Map.of("weight", byModule)).addModel(second, Map.of("weight", c(0.5))).build();
        assertThatThrownBy(() -> StreamingModelMerger.create().mergeOnnx(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initializer 'onnx::MatMul_7' has a name the ONNX exporter made up")
                .hasMessageContaining("parameter 'weight' of model " + first + " is a filter list none of whose"
                        + " filters matches it, so it would take the value meant for the other tensors");

        RatioSchedule named = new RatioSchedule.Filtered(
                List.of(new RatioSchedule.NameFilter(WEIGHT, RatioSchedule.constant(0.25))), c(0.5));
        byte[] merged = StreamingModelMerger.create().mergeOnnx(MergePlan.builder().method(MergeMethod.LINEAR)
                .addModel(first, Map.of("weight", named)).addModel(second, Map.of("weight",
                        new RatioSchedule.Filtered(List.of(new RatioSchedule.NameFilter(WEIGHT, c(0.75))), c(0.5))))
                .build());
        ByteBuffer values = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        OnnxModel.parse(dir.resolve("merged.onnx"), merged).read(WEIGHT, 0, values);
        values.flip();
        float[] weights = new float[6];
        values.asFloatBuffer().get(weights);
        assertThat(weights).containsExactly(4, 5, 6, 7, 8, 9);
    }

    private static RatioSchedule c(double value) {
        return RatioSchedule.constant(value);
    }
}
