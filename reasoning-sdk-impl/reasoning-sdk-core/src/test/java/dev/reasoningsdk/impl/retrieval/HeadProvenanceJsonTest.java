package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadProvenanceJsonTest {

    @Test
    void aHeadWhoseHeldOutRowsHoldOneClassKeepsAnUndefinedAurocThroughItsFile(@TempDir Path dir) throws IOException {
        BinaryMetrics oneClass = BinaryMetrics.compute(List.of(0.9, 0.2), List.of(true, true), 0.5);
        HeadProvenance provenance = new HeadProvenance("test.jsonl", "00", "text", "label", 10, 8, 2, 42, 0.2, 0.01,
                oneClass);
        LinearHead head = new LinearHead(CriterionKind.TIME, "encoder@1", new float[] {0}, new float[] {1},
                new float[] {0.5f}, 0.1, provenance);
        Path file = dir.resolve("head.json");

        head.save(file);
        String json = Files.readString(file);
        LinearHead read = LinearHead.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));

        assertThat(oneClass.auroc()).isNaN();
        // Jackson writes NaN as the string "NaN" (valid JSON) and reads it back as NaN.
        assertThat(json).contains("\"auroc\" : \"NaN\"");
        assertThat(read.provenance().heldOut().auroc()).isNaN();
        assertThat(read.provenance().heldOut().accuracy()).isEqualTo(0.5);
    }
}
