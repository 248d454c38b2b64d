package dev.reasoningsdk.impl.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** The process-reward trainer on the real tiny reasoner and its eval problems. */
class StepRewardTrainerTest {

    private static final String EVAL = "models/tiny-reasoner/eval-problems.jsonl";
    private static final VerifierTrainer.DataRecord DATA = new VerifierTrainer.DataRecord("eval-problems.jsonl", "-");
    private static HuggingFaceOnnxModel model;
    private static List<StepRewardTrainer.Problem> problems;

    @BeforeAll
    static void load() throws IOException {
        model = TinyReasoner.create();
        problems = new ArrayList<>();
        for (JsonLines.Row row : JsonLines.read(ProjectData.require(EVAL))) {
            JsonNode node = row.node();
            problems.add(new StepRewardTrainer.Problem(node.path("question").asText(),
                    String.valueOf(node.path("answer").asLong())));
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A quick trainer: few chains and completions, two folds. */
    private static StepRewardTrainer small() {
        return StepRewardTrainer.builder().chainsPerProblem(4).completions(2).folds(2).l2Grid(1).build();
    }

    /** Six-step problems (rows 500 to 511), where the tiny reasoner errs often enough for both labels. */
    private static List<StepRewardTrainer.Problem> hard() {
        return problems.subList(500, 512);
    }

    /** Every third row, as the live bench's even spread takes it. */
    private static List<Integer> excluded(int rows) {
        return IntStream.range(0, rows).filter(r -> r % 3 == 0).boxed().toList();
    }

    @Test
    void excludedRowsAreNeverRead() {
        List<StepRewardTrainer.Problem> rows = hard();
        List<Integer> reads = new ArrayList<>();
        List<StepRewardTrainer.Problem> spy = new AbstractList<>() {
            @Override
            public StepRewardTrainer.Problem get(int index) {
                reads.add(index);
                return rows.get(index);
            }

            @Override
            public int size() {
                return rows.size();
            }
        };
        HiddenStateStepReward.Weights weights = small().train(model, spy, excluded(rows.size()), DATA, done -> { });
        assertThat(reads).doesNotContainAnyElementsOf(excluded(rows.size())).doesNotHaveDuplicates()
                .hasSize(rows.size() - excluded(rows.size()).size());
        assertThat(weights.provenance().excludedRows()).isEqualTo(excluded(rows.size()));
        assertThat(weights.provenance().trainProblems()).isEqualTo(reads.size());
        // The training problems are recorded, so a bench can tell them in any file.
        for (int row = 0; row < rows.size(); row++) {
            assertThat(weights.provenance().trainedOn(rows.get(row).question())).as("row %d", row)
                    .isEqualTo(!excluded(rows.size()).contains(row));
        }
    }

    @Test
    void layersAreValidatedEagerlyAndNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StepRewardTrainer.builder().layers((int[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("layers");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StepRewardTrainer.builder().layers(-1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[-1, -1]");
    }

    @Test
    void repeatedTrainingProblemsAreRefusedBeforeAnyRollout() {
        List<StepRewardTrainer.Problem> problems = List.of(new StepRewardTrainer.Problem("What is 2 + 3?", "5"),
                new StepRewardTrainer.Problem("What is 4 * 4?", "16"),
                new StepRewardTrainer.Problem("  What is 2 +\n3? ", "5"));
        // No model is needed to see it: the check comes before the first rollout.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StepRewardTrainer.builder().build().train(null,
                        problems, List.of(), new VerifierTrainer.DataRecord("p", "0"), done -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows 0 and 2");
    }

    @Test
    void theSameSeedGivesTheSameHead() {
        List<StepRewardTrainer.Problem> rows = hard();
        HiddenStateStepReward.Weights first = small().train(model, rows, excluded(rows.size()), DATA, done -> { });
        HiddenStateStepReward.Weights again = small().train(model, rows, excluded(rows.size()), DATA, done -> { });
        assertThat(again.toJson()).isEqualTo(first.toJson());
        assertThat(first.modelId()).isEqualTo(model.modelId());
        assertThat(first.hiddenSize()).isEqualTo(model.promptHiddenState("Q: 1+1?\nA:").length);
    }

    @Test
    void theShippedHeadWasTrainedWithoutTheBenchRows() {
        HiddenStateStepReward.Weights shipped = HiddenStateStepReward.Weights.shipped();
        // bench aggregate --live's default selection: 200 rows evenly spaced over the file's rows.
        int rows = shipped.provenance().problems();
        List<Integer> bench = IntStream.range(0, 200).mapToObj(i -> (int) ((long) i * rows / 200)).toList();
        assertThat(shipped.provenance().excludedRows()).containsAll(bench);
        assertThat(shipped.provenance().trainProblems() + shipped.provenance().excludedRows().size()).isEqualTo(rows);
        assertThat(shipped.modelId()).isEqualTo(model.modelId());
        // Its recorded training problems are exactly the rows it was allowed to read.
        for (int row = 0; row < rows; row++) {
            assertThat(shipped.provenance().trainedOn(problems.get(row).question())).as("row %d", row)
                    .isEqualTo(!shipped.provenance().excludedRows().contains(row));
            // A copy in other case and punctuation is the same problem.
            String recased = problems.get(row).question().toUpperCase(java.util.Locale.ROOT).replace("?", " ?");
            assertThat(shipped.provenance().trainedOn(recased)).as("row %d", row)
                    .isEqualTo(!shipped.provenance().excludedRows().contains(row));
        }
    }

    /**
     * On real problems, the shipped reward ranks a wrong first step below the gold chain's: the step the tiny
     * reasoner's own errors look like, its equation with the stated result off by 10. The first two problems of each
     * step count 3 to 6 (rows 200 to 599) that training was allowed to read (not a multiple of 3); steps are written
     * as the model writes them, after a space. The ranking comes from the arithmetic half of the shipped
     * combination (min): the head alone ranks such a step below the right one on about half of these rows, chance,
     * and the same for a step with right arithmetic and a wrong operation (see the report of issue 19), so its own
     * values are only checked to be probabilities that the step changes.
     */
    @Test
    void theShippedRewardRanksAWrongFirstStepBelowTheRightOneOnRealProblems() throws IOException {
        HiddenStateStepReward reward = HiddenStateStepReward.tinyReasoner(model);
        java.util.regex.Pattern first = java.util.regex.Pattern.compile("^(\\d+)([-+*/])(\\d+)=(\\d+)\\.");
        List<JsonNode> rows = JsonLines.read(ProjectData.require(EVAL)).stream().map(JsonLines.Row::node).toList();
        int compared = 0;
        for (int hundred = 200; hundred < 600; hundred += 100) {
            for (int row = hundred, taken = 0; taken < 2; row++) {
                if (row % 3 == 0) {
                    continue;
                }
                taken++;
                JsonNode problem = rows.get(row);
                java.util.regex.Matcher step = first.matcher(problem.path("chain").asText());
                assertThat(step.find()).as("row %d's chain starts with an equation", row).isTrue();
                String wrong = " " + step.group(1) + step.group(2) + step.group(3) + "="
                        + (Long.parseLong(step.group(4)) + 10) + ".";
                String question = problem.path("question").asText();
                List<String> right = List.of(" " + step.group());
                List<String> wrongStep = List.of(wrong);
                assertThat(reward.scoreStep(question, wrongStep, false)).as("row %d: %s against %s", row, wrong,
                        step.group()).isLessThan(reward.scoreStep(question, right, false));
                assertThat(reward.value(question, right)).isBetween(0.0, 1.0)
                        .isNotEqualTo(reward.value(question, wrongStep));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(8);
    }

    /**
     * Retrains with the shipped head's settings on the whole file and compares: about 20 minutes on two cores, so it
     * runs only with {@code -Dreasoning.retrain=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "reasoning.retrain", matches = "true")
    void retrainingReproducesTheShippedHead() throws IOException {
        HiddenStateStepReward.Weights shipped = HiddenStateStepReward.Weights.shipped();
        var p = shipped.provenance();
        Path file = ProjectData.require(EVAL);
        HiddenStateStepReward.Weights again = StepRewardTrainer.builder().seed(p.seed())
                .chainsPerProblem(p.chainsPerProblem()).completions(p.completions()).temperature(p.temperature())
                .build().train(model, problems, p.excludedRows(),
                        new VerifierTrainer.DataRecord(p.data(), p.dataSha256()), done -> { });
        assertThat(file).exists();
        assertThat(again.toJson()).isEqualTo(shipped.toJson());
    }
}
