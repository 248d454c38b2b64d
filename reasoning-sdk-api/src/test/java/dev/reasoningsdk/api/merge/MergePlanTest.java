package dev.reasoningsdk.api.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MergePlanTest {

    @Test
    void aNegativeShardSizeIsRefusedNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> MergePlan.builder().maxShardBytes(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxShardBytes must be >= 0, was -5");
    }

    @Test
    void zeroShardSizeMeansOneFile() {
        MergePlan plan = MergePlan.builder().method(MergeMethod.LINEAR).addModel(java.nio.file.Path.of("a"))
                .maxShardBytes(0).build();
        assertThat(plan.maxShardBytes()).isZero();
    }
}
