package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --temperature} and {@code --max-tokens} mean one thing in every command that samples chains
 * ({@link SamplingOptions}): before, {@code bench confidence --live} and {@code bench aggregate --live} sampled at
 * 0.8 with the server's length and took neither, and {@code verifier sample} took no {@code --max-tokens}. Over
 * real HTTP on 127.0.0.1, every sample request carries both.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SamplingOptionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private LiveBenchFiles files;

    @BeforeEach
    void writeFiles() throws IOException {
        files = LiveBenchFiles.write(dir);
    }

    /** Asserts that every chat request {@code server} saw asked for {@code temperature} and {@code maxTokens}. */
    private static void assertEverySampleAskedFor(FaultInjectingServer server, double temperature, int maxTokens)
            throws IOException {
        assertThat(server.requestBodies()).isNotEmpty();
        for (String body : server.requestBodies()) {
            JsonNode request = JSON.readTree(body);
            assertThat(request.path("temperature").asDouble()).as(body).isEqualTo(temperature);
            assertThat(request.path("max_tokens").asInt()).as(body).isEqualTo(maxTokens);
        }
    }

    @Test
    void liveConfidenceSamplesAtTheGivenTemperatureAndTokenCap() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            CliRun run = CliRun.of("bench", "confidence", "--live", "--json", "--provider", "openai", "--base-url",
                    server.openAiBaseUrl(), "--model", "x", "--max-problems", "8", "--samples", "2",
                    "--temperature", "0.3", "--max-tokens", "40", "--data", files.solutions().toString(),
                    "--problems", files.problems().toString(), "--calibrator-out",
                    dir.resolve("consistency.json").toString());

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode live = run.json().path("live");
            assertThat(live.path("temperature").asDouble()).isEqualTo(0.3);
            assertThat(live.path("max_tokens").asInt()).isEqualTo(40);
            assertThat(live.path("problems").asInt()).isEqualTo(8);
            assertEverySampleAskedFor(server, 0.3, 40);
            // The calibrator fits the agreement of chains sampled so: reasoning confidence must sample them alike.
            assertThat(live.at("/calibrator_out/use").asText())
                    .contains("--samples 2 --temperature 0.3 --max-tokens 40 --provider openai --base-url "
                            + server.openAiBaseUrl() + " --model x --calibrator ");
        }
    }

    @Test
    void liveAggregationSamplesItsChainsAtTheGivenTemperatureAndTokenCap() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            CliRun run = CliRun.of("bench", "aggregate", "--live", "--json", "--provider", "openai", "--base-url",
                    server.openAiBaseUrl(), "--model", "x", "--max-problems", "1", "--temperature", "0.3",
                    "--max-tokens", "40", "--data", files.solutions().toString(), "--problems",
                    files.problems().toString());

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode live = run.json().path("live");
            assertThat(live.path("temperature").asDouble()).isEqualTo(0.3);
            assertThat(live.path("max_tokens").asInt()).isEqualTo(40);
            // The sampled chains' requests carry both; the step searches' calls keep their own settings.
            List<JsonNode> sampled = new ArrayList<>();
            for (String body : server.requestBodies()) {
                JsonNode request = JSON.readTree(body);
                if (request.path("temperature").asDouble() == 0.3) {
                    sampled.add(request);
                }
            }
            assertThat(sampled).hasSize(AggregationOfReasoning.DEFAULT_MAX_SAMPLES);
            sampled.forEach(request -> assertThat(request.path("max_tokens").asInt()).isEqualTo(40));
        }
    }

    @Test
    void verifierSampleCapsEverySampleAtTheGivenTokens() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            Path out = dir.resolve("chains.jsonl");
            CliRun run = CliRun.of("verifier", "sample", "--provider", "openai", "--base-url",
                    server.openAiBaseUrl(), "--model", "x", "--problems", files.problems().toString(),
                    "--max-problems", "2", "--samples", "2", "--temperature", "0.5", "--max-tokens", "30", "--out",
                    out.toString());

            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.json().path("max_tokens").asInt()).isEqualTo(30);
            assertThat(run.json().path("temperature").asDouble()).isEqualTo(0.5);
            assertEverySampleAskedFor(server, 0.5, 30);
        }
    }

    @Test
    void theOptionsAreCheckedAlikeAndRefusedWhereNothingIsSampled() throws IOException {
        String data = files.solutions().toString();
        CliRun.of("bench", "confidence", "--json", "--data", data, "--temperature", "0.3")
                .assertBadInput("--temperature is for the live bench: add --live");
        CliRun.of("bench", "confidence", "--json", "--data", data, "--max-tokens", "40")
                .assertBadInput("--max-tokens is for the live bench: add --live");
        CliRun.of("bench", "aggregate", "--json", "--data", data, "--temperature", "0.3")
                .assertBadInput("--temperature is for the live bench: add --live");
        for (List<String> command : List.of(List.of("bench", "confidence", "--live", "--json", "--data", data),
                List.of("bench", "aggregate", "--live", "--json", "--data", data),
                List.of("verifier", "sample", "--out", dir.resolve("c.jsonl").toString()),
                List.of("solve", "--method", "majority", "What is 2 plus 2?"))) {
            List<String> hot = new ArrayList<>(command);
            hot.addAll(List.of("--temperature", "-1"));
            CliRun.of(hot.toArray(String[]::new)).assertBadInput("--temperature must be >= 0, was -1.0");
            List<String> capped = new ArrayList<>(command);
            capped.addAll(List.of("--max-tokens", "0"));
            CliRun.of(capped.toArray(String[]::new)).assertBadInput("--max-tokens must be >= 1, was 0");
        }
    }
}
