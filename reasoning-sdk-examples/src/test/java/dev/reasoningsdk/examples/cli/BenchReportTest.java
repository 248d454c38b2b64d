package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.retrieval.BinaryMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    @Test
    void anUndefinedAurocPrintsAsNanInValidJsonAndInTheTable() throws Exception {
        // Rows of one class have no ROC curve: the figure is NaN, and the report must still be valid JSON.
        BinaryMetrics oneClass = BinaryMetrics.compute(List.of(0.9, 0.4, 0.7), List.of(true, true, true), 0.5);
        BenchReport report = new BenchReport().put("head_only", BenchRetrievalCommand.figures(oneClass));

        JsonNode json = new ObjectMapper().readTree(print(report, true));
        String table = print(report, false);

        assertThat(json.path("head_only").path("auroc").isTextual()).isTrue();
        assertThat(json.path("head_only").path("auroc").asText()).isEqualTo("NaN");
        assertThat(json.path("head_only").path("accuracy").asDouble()).isEqualTo(2 / 3.0);
        assertThat(table).containsPattern("auroc\\s+NaN");
    }

    private static String print(BenchReport report, boolean json) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), json);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
