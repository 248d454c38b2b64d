package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import org.junit.jupiter.api.Test;

class JudgeCommandTest {

    @Test
    void badInputExitsWithTwo() {
        assertThat(ReasoningCli.execute("judge")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "mood", "--data", "x.jsonl", "--out",
                "y.json")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "time", "--data", "missing.jsonl", "--out",
                "y.json")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    @Test
    void criterionNamesRoundTrip() {
        for (CriterionKind kind : CriterionKind.values()) {
            assertThat(JudgeCommand.Train.parseKind(RetrievalSetup.cliName(kind))).isEqualTo(kind);
        }
        assertThat(RetrievalSetup.cliName(CriterionKind.SELF_KNOWLEDGE)).isEqualTo("self-knowledge");
    }
}
