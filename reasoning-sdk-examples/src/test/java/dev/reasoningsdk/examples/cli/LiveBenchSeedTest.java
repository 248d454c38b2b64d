package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.internal.ProjectData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --seed} of the live benches, as {@code verifier sample --seed} and {@code generate --seed} have it: the first
 * seed, reported beside the other settings; the default is the seed the shipped figures were measured with, the same
 * seed gives the same figures, and another seed samples other chains.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LiveBenchSeedTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode live(String section, String... args) throws IOException {
        CliRun run = CliRun.of(args);
        assertThat(run.exit()).as(run.err()).isZero();
        return withoutWallTimes(run.json().path(section).deepCopy());
    }

    /** {@code node} without its wall-clock figures, the only ones two identical runs may differ in. */
    private static JsonNode withoutWallTimes(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                if (names.next().contains("wall")) {
                    names.remove();
                }
            }
        }
        node.forEach(LiveBenchSeedTest::withoutWallTimes);
        return node;
    }

    /**
     * {@code section} of the report of {@code args} run by default and with {@code --seed 7}; asserts that
     * {@code --seed 0} gives the default's figures, that {@code --seed 7} gives the same figures twice, and that each
     * reports its seed.
     */
    private static List<JsonNode> byDefaultAndWithSeedSeven(String section, List<String> args) throws IOException {
        JsonNode byDefault = live(section, args.toArray(String[]::new));
        JsonNode seedSeven = live(section, with(args, "--seed", "7"));
        assertThat(byDefault.path("seed").asLong()).isZero();
        assertThat(live(section, with(args, "--seed", "0"))).isEqualTo(byDefault);
        assertThat(seedSeven.path("seed").asLong()).isEqualTo(7);
        assertThat(live(section, with(args, "--seed", "7"))).isEqualTo(seedSeven);
        return List.of(byDefault, seedSeven);
    }

    private static String[] with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void benchAggregateLiveSamplesItsChainsFromTheSeed() throws IOException {
        JsonNode problem = JSON.readTree("{\"question\": \"Ana starts with 7 shells. She sells 4. How many shells "
                + "does she have now?\", \"steps\": 1, \"answer\": 3}");
        List<Long> firstSeeds = new ArrayList<>();
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            LocalModelSampler local = LocalModelSampler.builder().model(model).temperature(0.8).build();
            ChainSampler recording = new ChainSampler() {
                @Override
                public SampleBatch sample(String prompt, int count, long firstSeed) {
                    firstSeeds.add(firstSeed);
                    return local.sample(prompt, count, firstSeed);
                }

                @Override
                public String name() {
                    return local.name();
                }
            };
            BenchAggregateCommand command = new BenchAggregateCommand();
            command.seed = 7;
            JsonNode report = JSON.valueToTree(command.liveRun(List.of(problem), recording, Map.of(),
                    new BenchAggregateCommand.LiveSearches(Map.of(), Map.of(), ""), () -> false)
                    .report(model.modelId(), List.of()).figures());

            // The 40 chains are drawn once, from the seed: sample i has seed 7 + i (they were always 0 to 39).
            assertThat(firstSeeds).containsExactly(7L);
            assertThat(report.path("seed").asLong()).isEqualTo(7);
            assertThat(report.path("temperature").asDouble()).isEqualTo(0.8);
        }
    }

    @Test
    void benchAggregateLiveGivesTheSameFiguresForTheSameSeedAndOtherChainsForAnother() throws IOException {
        // A six-step problem, on which the tiny reasoner's chains differ from seed to seed.
        List<String> eval = Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE));
        Path problems = Files.write(dir.resolve("six-steps.jsonl"), List.of(eval.get(eval.size() - 1)));
        List<String> args = List.of("bench", "aggregate", "--live", "--json", "--max-problems", "1", "--data",
                ServedParityTest.solutions(dir, 1).toString(), "--problems", problems.toString());
        List<JsonNode> runs = byDefaultAndWithSeedSeven("live", args);
        JsonNode byDefault = runs.get(0);
        JsonNode seedSeven = runs.get(1);

        assertThat(seedSeven.at("/step_search/best_first/settings/seed").asLong()).isEqualTo(7);
        // Other chains: the 40 sampled chains' tokens, and each search's path, are not those of seed 0.
        assertThat(seedSeven.at("/majority_at_k/40/generated_tokens"))
                .isNotEqualTo(byDefault.at("/majority_at_k/40/generated_tokens"));
        assertThat(seedSeven.at("/step_search/best_first/generated_tokens"))
                .isNotEqualTo(byDefault.at("/step_search/best_first/generated_tokens"));
        CliRun.of("bench", "aggregate", "--seed", "7").assertBadInput("--seed is for the live bench: add --live");
    }

    @Test
    void benchConfidenceLiveGivesTheSameFiguresForTheSameSeedAndOthersForAnother() throws IOException {
        List<String> args = List.of("bench", "confidence", "--live", "--json", "--max-problems", "8", "--samples", "4",
                "--data", ServedParityTest.solutions(dir, 4).toString());
        List<JsonNode> runs = byDefaultAndWithSeedSeven("live_tiny_reasoner", args);

        assertThat(runs.get(1).path("mean_token_probability")).isNotEqualTo(runs.get(0).path("mean_token_probability"));
    }
}
