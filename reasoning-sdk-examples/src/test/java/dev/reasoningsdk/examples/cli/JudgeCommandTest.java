package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void aLexicalGridIsForEncoderHeadsWithoutAFixedSize(@TempDir Path dir) throws IOException {
        Path data = Files.writeString(dir.resolve("rows.jsonl"), "{\"question\": \"who is the current champion\", "
                + "\"time_sensitive\": true}\n");
        String out = dir.resolve("head.json").toString();
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "time", "--data", data.toString(),
                "--lexical-grid", "0,128", "--lexical", "64", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "self-knowledge", "--data",
                data.toString(), "--lexical-grid", "0,128", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "time", "--data", data.toString(),
                "--lexical-grid", "0,128", "--cv-repeats", "0", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(dir.resolve("head.json")).doesNotExist();
    }

    @Test
    void criterionNamesRoundTrip() {
        for (CriterionKind kind : CriterionKind.values()) {
            assertThat(JudgeCommand.Train.parseKind(RetrievalSetup.cliName(kind))).isEqualTo(kind);
        }
        assertThat(RetrievalSetup.cliName(CriterionKind.SELF_KNOWLEDGE)).isEqualTo("self-knowledge");
    }
}
