package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.onnx.ExternalDataModels;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX models that keep tensors in other files are refused by the merger wherever the tensor sits, through the same
 * check the loaders use: the merged model is a copy of the reference model's bytes, so data in other files would be
 * neither merged nor found beside the output.
 */
class HostileOnnxMergeTest {

    @TempDir
    Path dir;

    @Test
    void anExternalInitializerIsRefusedEvenInsideTheFolder() throws Exception {
        Files.write(dir.resolve("w.bin"), ExternalDataModels.affineWeights());
        assertRefused(ExternalDataModels.affine(ExternalDataModels.externalW("w.bin", 0)),
                "initializer 'w' refers to external data 'w.bin', which merging does not support");
    }

    @Test
    void anExternalTensorInANodeAttributeIsRefused() throws Exception {
        assertRefused(ExternalDataModels.leakingConstant(ExternalDataModels.externalBytes(16, "../../etc/passwd")),
                "tensor 'secret' (in node 'constant' attribute 'value') refers to external data"
                        + " '../../etc/passwd', which merging does not support");
    }

    @Test
    void anExternalInitializerOfASubgraphIsRefused() throws Exception {
        assertRefused(ExternalDataModels.leakingSubgraph(ExternalDataModels.externalBytes(16, "/etc/passwd")),
                "initializer 'secret' (in node 'if' attribute 'then_branch') refers to external data '/etc/passwd',"
                        + " which merging does not support");
    }

    /**
     * An initializer with both raw_data and float_data: the merger wrote the merged values into the field that came
     * last in the file, and ONNX Runtime, which reads raw_data, would have run the reference model's weights.
     */
    @Test
    void anInitializerWithValuesInTwoFieldsIsRefused() throws Exception {
        TensorProto both = ExternalDataModels.inlineW().toBuilder().addAllFloatData(List.of(1f, 2f, 3f, 4f, 5f, 6f))
                .build();
        Path first = Files.write(dir.resolve("first.onnx"), ExternalDataModels.affine(both).toByteArray());
        Path second = Files.write(dir.resolve("second.onnx"), ExternalDataModels.affine(both).toByteArray());
        MergePlan plan = MergePlan.builder().method(MergeMethod.LINEAR)
                .addModel(first, Map.of("weight", RatioSchedule.constant(0.5)))
                .addModel(second, Map.of("weight", RatioSchedule.constant(0.5))).build();
        assertThatThrownBy(() -> StreamingModelMerger.create().mergeOnnx(plan))
                .isInstanceOf(MergeException.class)
                .hasMessage(first + ": invalid ONNX model: initializer 'w' holds its values in more than one field"
                        + " (float_data, raw_data); ONNX allows one");
    }

    private void assertRefused(ModelProto model, String reference) throws Exception {
        Path first = Files.write(dir.resolve("first.onnx"), model.toByteArray());
        Path second = Files.write(dir.resolve("second.onnx"), model.toByteArray());
        MergePlan plan = MergePlan.builder().method(MergeMethod.LINEAR)
                .addModel(first, Map.of("weight", RatioSchedule.constant(0.5)))
                .addModel(second, Map.of("weight", RatioSchedule.constant(0.5))).build();
        assertThatThrownBy(() -> StreamingModelMerger.create().mergeOnnx(plan))
                .isInstanceOf(MergeException.class)
                .hasMessage(first + ": " + reference + "; merge models that keep their weights inside the .onnx file");
    }
}
