package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchConfidenceCommandTest {

    @Test
    void printsDiscriminationCalibrationAndRefusalForRealChains() throws Exception {
        Path data = SharedData.find(ModelSolutions.DEFAULT_FILE).orElseThrow();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = ReasoningCli.execute("bench", "confidence", "--json", "--data-limit", "200", "--data", data.toString());
        } finally {
            System.setOut(original);
        }
        assertThat(exit).isZero();
        JsonNode real = new ObjectMapper().readTree(captured.toString(StandardCharsets.UTF_8)).path("real_chains");
        assertThat(real.path("questions").asInt()).isEqualTo(200);
        assertThat(real.path("auroc").asDouble()).isBetween(0.8, 1.0);
        assertThat(real.path("ece_calibrated").asDouble()).isLessThan(real.path("ece_raw").asDouble());
        assertThat(real.path("refusal")).hasSize(2);
    }

    @Test
    void badInputExitsWithTwo() {
        assertThat(ReasoningCli.execute("bench", "confidence", "--data-limit", "3")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("bench", "confidence", "--data", "no/such/file.jsonl"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
