package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Control flow of the learned process reward on a fake model; the real tiny reasoner runs in the training tests. */
class HiddenStateStepRewardTest {

    /** A model whose hidden state is {@code [count of 'x' in the prompt, 1]}, padded to {@code size}. */
    private record CountingModel(String id, int size, AtomicInteger passes) implements CausalLanguageModel {
        CountingModel(String id, int size) {
            this(id, size, new AtomicInteger());
        }

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            return List.of();
        }

        @Override
        public float[] continuationLogProbs(String prompt, String continuation) {
            return new float[0];
        }

        /** A prompt holding '#' is one the model cannot read (as one past its context). */
        @Override
        public float[] promptHiddenState(String prompt) {
            if (prompt.contains("#")) {
                throw new IllegalArgumentException("unreadable");
            }
            passes.incrementAndGet();
            float[] state = new float[size];
            state[0] = prompt.chars().filter(c -> c == 'x').count();
            state[1] = 1;
            return state;
        }

        /** One token per character. */
        @Override
        public OptionalInt promptTokenCount(String prompt) {
            return OptionalInt.of(prompt.length());
        }

        @Override
        public int contextLength() {
            return 100;
        }

        @Override
        public String modelId() {
            return id;
        }

        @Override
        public void close() {
        }
    }

    private static final StepRewardProvenance PROVENANCE = new StepRewardProvenance("problems.jsonl", "0", 10,
            List.of(0, 3), 8, 42, 8, 4, 0.8, 40, "shepherd", -1, 1, "ratio", "none", "rule", List.of(), List.of(),
            List.of());

    /** A head in which each 'x' lowers the log-odds by 2: a step that adds an 'x' lowers the chance of success. */
    private static HiddenStateStepReward.Weights head(HiddenStateStepReward.Mapping mapping,
                                                      HiddenStateStepReward.Combination combination) {
        return new HiddenStateStepReward.Weights("counting@1", -1, new double[] {0, 0, 0}, new double[] {1, 1, 1},
                new double[] {-2, 0, 0}, 1, mapping, combination, PROVENANCE);
    }

    @Test
    void eachScoreReportsTheForwardPassesItRanAndTheTokensTheyRead() {
        CountingModel model = new CountingModel("counting@1", 3);
        HiddenStateStepReward reward = HiddenStateStepReward.builder().model(model)
                .weights(head(HiddenStateStepReward.Mapping.RATIO, HiddenStateStepReward.Combination.MIN))
                .promptFormat(q -> q).build();
        int afterBuild = model.passes().get();

        // The ratio reads the prefix with the step and the one before it: two passes, "Qa." and "Q".
        ProcessReward.StepScore first = reward.scoreStepWithUsage("Q", List.of("a."), false);
        assertThat(first.usage()).isEqualTo(new Usage(0, 2, 0, "Qa.".length() + "Q".length(), 0,
                first.usage().wallTime()));
        assertThat(model.passes().get() - afterBuild).isEqualTo(2);
        // The next step's parent was read already: one pass. The arithmetic reward it is combined with costs none.
        ProcessReward.StepScore second = reward.scoreStepWithUsage("Q", List.of("a.", " x."), false);
        assertThat(second.usage().modelCalls()).isEqualTo(1);
        assertThat(second.usage().cacheHits()).isEqualTo(1);
        assertThat(second.usage().inputTokens()).isEqualTo("Qa. x.".length());
        assertThat(second.usage().outputTokens()).isZero();
        assertThat(second.reward()).isEqualTo(reward.scoreStep("Q", List.of("a.", " x."), false));
        // Read before: nothing to pay, two prefixes served from the reward's memory.
        ProcessReward.StepScore again = reward.scoreStepWithUsage("Q", List.of("a."), false);
        assertThat(again.usage().modelCalls()).isZero();
        assertThat(again.usage().cacheHits()).isEqualTo(2);
        assertThat(again.usage().inputTokens()).isZero();
        assertThat(model.passes().get() - afterBuild).isEqualTo(3);
        // A prefix the model cannot read is a failed call, reward 0, no tokens.
        ProcessReward.StepScore unreadable = reward.scoreStepWithUsage("Q", List.of("a.", " #."), false);
        assertThat(unreadable.reward()).isZero();
        assertThat(unreadable.usage().modelCalls()).isEqualTo(1);
        assertThat(unreadable.usage().failedCalls(CallFailure.CLIENT_ERROR)).isEqualTo(1);
        assertThat(unreadable.usage().inputTokens()).isZero();
    }

    @Test
    void ratioRewardsAStepByTheShareOfTheChanceItKeeps() {
        HiddenStateStepReward reward = HiddenStateStepReward.builder().model(new CountingModel("counting@1", 3))
                .weights(head(HiddenStateStepReward.Mapping.RATIO, HiddenStateStepReward.Combination.NONE))
                .promptFormat(q -> q).build();
        double before = reward.value("Q", List.of("a."));
        double after = reward.value("Q", List.of("a.", " x."));
        assertThat(after).isLessThan(before);
        assertThat(reward.scoreStep("Q", List.of("a.", " x."), false)).isCloseTo(after / before,
                org.assertj.core.data.Offset.offset(1e-12));
        // A step that keeps the chance costs nothing.
        assertThat(reward.scoreStep("Q", List.of("a.", " b."), false)).isEqualTo(1.0);
    }

    @Test
    void minCombinationTakesTheArithmeticRewardWhenItIsLower() {
        HiddenStateStepReward reward = HiddenStateStepReward.builder().model(new CountingModel("counting@1", 3))
                .weights(head(HiddenStateStepReward.Mapping.VALUE, HiddenStateStepReward.Combination.MIN))
                .promptFormat(q -> q).build();
        assertThat(reward.scoreStep("Q", List.of(" 2+2=5."), false)).isEqualTo(0.0);
        assertThat(reward.scoreStep("Q", List.of(" 2+2=4."), false)).isEqualTo(reward.value("Q", List.of(" 2+2=4.")));
    }

    @Test
    void refusesAModelWithAnotherIdOrHiddenSize() {
        HiddenStateStepReward.Weights weights = head(HiddenStateStepReward.Mapping.VALUE,
                HiddenStateStepReward.Combination.NONE);
        assertThatThrownBy(() -> HiddenStateStepReward.builder().model(new CountingModel("other@2", 3))
                .weights(weights).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("counting@1").hasMessageContaining("other@2");
        assertThatThrownBy(() -> HiddenStateStepReward.builder().model(new CountingModel("counting@1", 5))
                .weights(weights).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 3").hasMessageContaining("gives 5");
    }

    @Test
    void aFileRoundTripsAndAMalformedOneIsRefused(@TempDir Path temp) throws IOException {
        HiddenStateStepReward.Weights weights = head(HiddenStateStepReward.Mapping.RATIO,
                HiddenStateStepReward.Combination.PRODUCT);
        Path file = temp.resolve("head.json");
        weights.save(file);
        HiddenStateStepReward.Weights read = HiddenStateStepReward.Weights.read(file);
        assertThat(read.toJson()).isEqualTo(weights.toJson());
        assertThat(read.provenance()).isEqualTo(PROVENANCE);

        ObjectNode wrongSize = weights.toJson().put("hiddenSize", 4);
        assertThatThrownBy(() -> read(wrongSize)).hasMessageContaining("hiddenSize 4");
        ObjectNode wrongVersion = weights.toJson().put("version", 2);
        assertThatThrownBy(() -> read(wrongVersion)).hasMessageContaining("version 2");
        ObjectNode wrongMapping = weights.toJson().put("mapping", "square");
        assertThatThrownBy(() -> read(wrongMapping)).hasMessageContaining("mapping 'square'");
        ObjectNode noModel = weights.toJson();
        noModel.remove("modelId");
        assertThatThrownBy(() -> read(noModel)).hasMessageContaining("modelId");
    }

    @Test
    void aCorruptHeadFileIsRefusedNamingTheFile(@TempDir Path temp) throws IOException {
        Path file = temp.resolve("head.json");
        head(HiddenStateStepReward.Mapping.VALUE, HiddenStateStepReward.Combination.NONE).save(file);
        String whole = Files.readString(file);
        for (String corrupt : CorruptWeightFiles.of(whole)) {
            Files.writeString(file, corrupt);
            assertThatThrownBy(() -> HiddenStateStepReward.Weights.read(file))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(file + ": process-reward head is not valid JSON");
        }
    }

    @Test
    void splitsAChainWhereTheSearchEndsSteps() {
        assertThat(HiddenStateStepReward.steps(" 7-4=3. The answer is 3.")).containsExactly(" 7-4=3.",
                " The answer is 3.");
        assertThat(HiddenStateStepReward.steps("a\nb. c")).containsExactly("a\n", "b.", " c");
        assertThat(HiddenStateStepReward.steps("  ")).isEmpty();
    }

    private static HiddenStateStepReward.Weights read(ObjectNode json) throws IOException {
        return HiddenStateStepReward.Weights.read(new ByteArrayInputStream(json.toString()
                .getBytes(StandardCharsets.UTF_8)));
    }
}
