package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.api.merge.SignConsensus;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void models() throws Exception {
        for (String name : List.of("base.safetensors", "a.safetensors", "b.safetensors")) {
            Files.createFile(dir.resolve(name));
        }
    }

    private MergeConfig parse(String yaml) {
        return MergeConfig.parse(yaml, dir);
    }

    @Test
    void readsMergekitShapedTiesConfig() {
        MergePlan plan = parse("""
                merge_method: ties
                base_model: base.safetensors
                models:
                  - model: a.safetensors
                    parameters:
                      weight: 0.7
                      density: [0.2, 0.8]
                  - model: b.safetensors
                    parameters:
                      weight:
                        - filter: mlp
                          value: 0.9
                        - value: 0.3
                      density: 0.5
                parameters:
                  normalize: false
                  consensus_method: count
                dtype: bfloat16
                random_seed: 9
                """).plan();
        assertThat(plan.method()).isEqualTo(MergeMethod.TIES);
        assertThat(plan.baseModel()).contains(dir.resolve("base.safetensors"));
        assertThat(plan.models()).hasSize(2);
        assertThat(plan.models().get(0).parameters().get("density"))
                .isEqualTo(new RatioSchedule.Gradient(List.of(0.2, 0.8), 0.2, 0.8));
        RatioSchedule weight = plan.models().get(1).parameters().get("weight");
        assertThat(weight.valueFor("model.layers.3.mlp.up_proj.weight", 3, 8)).isEqualTo(0.9);
        assertThat(weight.valueFor("model.layers.3.self_attn.q_proj.weight", 3, 8)).isEqualTo(0.3);
        assertThat(plan.parameters().get("normalize")).isEqualTo(RatioSchedule.constant(0));
        assertThat(plan.signConsensus()).isEqualTo(SignConsensus.COUNT);
        assertThat(plan.outputDtype()).contains("BF16");
        assertThat(plan.seed()).isEqualTo(9);
    }

    /**
     * mergekit matches filter entries in order and an entry without a filter (or with {@code "*"}) matches every
     * tensor. The entry without a filter used to be a fallback wherever it stood, so a config listing it first gave
     * self_attn 0.9 where mergekit gives 0.5, and {@code filter: "*"} was refused.
     */
    @Test
    void filterEntriesMatchInOrderAndACatchAllMatchesEveryTensorAsInMergekit() {
        MergePlan plan = parse("""
                merge_method: slerp
                base_model: base.safetensors
                models:
                  - model: a.safetensors
                parameters:
                  t:
                    - filter: mlp
                      value: 0.2
                    - value: 0.5
                    - filter: self_attn
                      value: 0.9
                """).plan();
        RatioSchedule t = plan.parameters().get("t");
        assertThat(t.valueFor("model.layers.1.mlp.up_proj.weight", 1, 4)).isEqualTo(0.2);
        assertThat(t.valueFor("model.layers.1.self_attn.q_proj.weight", 1, 4)).isEqualTo(0.5);

        RatioSchedule star = parse("""
                merge_method: slerp
                base_model: base.safetensors
                models:
                  - model: a.safetensors
                parameters:
                  t:
                    - filter: self_attn
                      value: 0.9
                    - filter: "*"
                      value: 0.4
                """).plan().parameters().get("t");
        assertThat(star.valueFor("model.layers.1.self_attn.q_proj.weight", 1, 4)).isEqualTo(0.9);
        assertThat(star.valueFor("model.norm.weight", -1, 4)).isEqualTo(0.4);
    }

    @Test
    void readsHmaLayerGroups() {
        MergePlan plan = parse("""
                merge_method: linear
                models:
                  - model: base.safetensors
                    parameters:
                      weight: {groups: [{layers: [0, 10], value: 0.4}, {layers: [11, 20], value: 0.3}], rest: 0.2}
                  - model: a.safetensors
                    parameters: {weight: 0.5}
                """).plan();
        RatioSchedule weight = plan.models().get(0).parameters().get("weight");
        assertThat(weight.valueFor("x", 5, 32)).isEqualTo(0.4);
        assertThat(weight.valueFor("x", 15, 32)).isEqualTo(0.3);
        assertThat(weight.valueFor("x", 25, 32)).isEqualTo(0.2);
        assertThat(weight.valueFor("lm_head.weight", -1, 32)).isEqualTo(0.2);
    }

    @Test
    void aSeedOrLayerThatIsNotAWholeNumberIsRefusedNotCut() {
        // Before, random_seed: 1.5 merged with seed 1 and layers: [0.7, 2] with layers 0 to 2, without a word.
        String dare = "merge_method: dare_ties\nbase_model: base.safetensors\nmodels:\n  - model: a.safetensors\n"
                + "    parameters: {weight: 1, density: 0.5}\n";
        assertThatThrownBy(() -> parse(dare + "random_seed: 1.5\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("random_seed must be an integer (at most 64 bits), was 1.5");
        assertThatThrownBy(() -> parse(dare + "random_seed: 18446744073709551616\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("random_seed must be an integer");
        assertThat(parse(dare + "random_seed: -7\n").plan().seed()).isEqualTo(-7);
        String groups = "merge_method: linear\nmodels:\n  - model: a.safetensors\n    parameters: {weight: {groups: "
                + "[{layers: [%s, 2], value: 0.3}], rest: 0.5}}\n";
        assertThatThrownBy(() -> parse(groups.formatted("0.7"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("models[0].parameters.weight.groups[0].layers[0] must be an integer (at most 64 bits),"
                        + " was 0.7");
        assertThatThrownBy(() -> parse(groups.formatted("-1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layers[0] must be a layer index (0 or more), was -1");
    }

    @Test
    void aLinearBaseModelThatIsNotOneOfItsModelsIsRefusedNotLeftOut() {
        // Before, the merge averaged a and b and left the base out without a word.
        String linear = "merge_method: linear\nbase_model: base.safetensors\nmodels:\n  - model: a.safetensors\n"
                + "    parameters: {weight: 1}\n  - model: %s\n    parameters: {weight: 1}\n";
        assertThatThrownBy(() -> parse(linear.formatted("b.safetensors"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("linear averages its models only, and base_model " + dir.resolve("base"
                        + ".safetensors") + " is not one of them");
        assertThat(parse(linear.formatted("base.safetensors")).plan().models()).hasSize(2);
    }

    @Test
    void unsupportedKeysAreRefusedByName() {
        String models = "merge_method: linear\nmodels:\n  - model: a.safetensors\n    parameters: {weight: 1}\n";
        assertThatThrownBy(() -> parse(models + "tokenizer_source: union\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'tokenizer_source'");
        assertThatThrownBy(() -> parse(models + "slices: []\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'slices'");
        assertThatThrownBy(() -> parse(models + "parameters: {int8_mask: true}\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'int8_mask'");
        assertThatThrownBy(() -> parse("merge_method: linear\nmodels:\n  - model: a.safetensors\n"
                + "    layer_range: [0, 4]\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'layer_range'");
        assertThatThrownBy(() -> parse("merge_method: linear\nmodels:\n  - model: a.safetensors\n"
                + "    parameters: {weight: 1, weight: 2}\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight");
        assertThatThrownBy(() -> parse("merge_method: frankenmerge\nmodels:\n  - model: a.safetensors\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'frankenmerge'");
        assertThatThrownBy(() -> parse("merge_method: linear\nmodels:\n  - model: missing.safetensors\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> parse(models + "dtype: int4\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'int4'");
    }

    @Test
    void configDrivesARealMerge() throws Exception {
        Map<String, float[]> base = Checkpoints.random(1, null);
        Map<String, float[]> tuned = Checkpoints.random(2, base);
        Checkpoints.write(dir.resolve("base.safetensors"), base, Dtype.F32, Map.of());
        Checkpoints.write(dir.resolve("a.safetensors"), tuned, Dtype.F32, Map.of());
        Path config = Files.writeString(dir.resolve("merge.yaml"), """
                merge_method: task_arithmetic
                base_model: base.safetensors
                models:
                  - model: a.safetensors
                    parameters: {weight: 0.5}
                """);
        Path out = dir.resolve("out/model.safetensors");
        StreamingModelMerger.create().merge(MergeConfig.load(config).withOutput(out, 0));
        Map<String, float[]> merged = Checkpoints.read(out);
        String tensor = "model.layers.1.mlp.up_proj.weight";
        assertThat(merged.get(tensor)).isEqualTo(MergeReference.taskArithmetic(base.get(tensor),
                new float[][] {tuned.get(tensor)}, new double[] {0.5}, new double[] {1}, 0, null, false, false, 1,
                new long[1]));
    }
}
