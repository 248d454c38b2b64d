package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code bench faults}: the JSON and Markdown forms of the fault table, on a slice of the matrix. */
class BenchFaultsCommandTest {

    @Test
    void jsonReportsEachCellWithItsCallsAtTheServerAndInUsage() throws Exception {
        CliRun run = CliRun.of("bench", "faults", "--json", "--components", "PROMPTED_CRITERION", "--faults",
                "NONE,HTTP_500");

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("n_cells").asInt()).isEqualTo(4);
        assertThat(json.path("all_bounded").asBoolean()).isTrue();
        for (JsonNode cell : json.path("cells")) {
            assertThat(cell.path("component").asText()).isEqualTo("LlmPromptedCriterion");
            assertThat(cell.path("calls_at_server").asInt()).isLessThanOrEqualTo(cell.path("call_bound").asInt())
                    .isLessThanOrEqualTo(cell.path("calls_in_usage").asInt());
            if (cell.path("fault").asText().equals("http_500")) {
                assertThat(cell.path("outcome").asText()).isEqualTo("fallback");
                assertThat(cell.path("failed_calls").asInt()).isEqualTo(cell.path("calls_in_usage").asInt());
            }
            assertThat(cell.path("tokens_known").asBoolean()).isTrue();
        }
    }

    @Test
    void markdownPrintsOneRowPerCellAndBadOptionsExitWithTwo() {
        CliRun run = CliRun.of("bench", "faults", "--markdown", "--components", "INCONSISTENCY_RATIONALE",
                "--faults", "RESET");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().filter(line -> line.startsWith("| InconsistencyRationale | reset |")))
                .hasSize(2);

        assertThat(CliRun.of("bench", "faults", "--json", "--markdown").exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(CliRun.of("bench", "faults", "--faults", "NOPE").exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
