package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.retrieval.LinearHead;
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
    void aFeatureGridIsForEncoderHeadsWithoutFixedFeatures(@TempDir Path dir) throws IOException {
        Path data = Files.writeString(dir.resolve("rows.jsonl"), "{\"question\": \"who is the current champion\", "
                + "\"time_sensitive\": true}\n");
        String out = dir.resolve("head.json").toString();
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "time", "--data", data.toString(),
                "--feature-sets", "0,128", "--features", "64", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "self-knowledge", "--data",
                data.toString(), "--feature-sets", "0,128", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "self-knowledge", "--data",
                data.toString(), "--features", "layer2", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "time", "--data", data.toString(),
                "--feature-sets", "0,128", "--cv-repeats", "0", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "time", "--data", data.toString(),
                "--features", "layer9", "--out", out)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(dir.resolve("head.json")).doesNotExist();
    }

    @Test
    void aFolderHeadIsNotLabelledByTheTinyReasonersRecordedSamples(@TempDir Path dir) throws IOException {
        // The shipped file's model_sample_answers are the tiny reasoner's; a head on another folder's hidden states
        // learnt from them whether the tiny reasoner knows each answer, and was written as that folder's head.
        Path data = Files.copy(ProjectData.require(BenchReasonerCommand.EVAL_FILE), dir.resolve("eval.jsonl"));
        Path folder = OwnModelFolderTest.copyOfTinyReasoner(dir.resolve("my-model"));
        Path out = dir.resolve("head.json");
        CliRun.of("judge", "train", "--criterion", "self-knowledge", "--model", folder.toString(), "--data",
                data.toString(), "--out", out.toString())
                .assertBadInput("its model_sample_answers are the embedded tiny reasoner's samples (the shipped "
                        + "head's training file), not my-model's; label by the folder's own answers with --resample K");
        assertThat(out).doesNotExist();
    }

    @Test
    void aBlankQueryIsBadInputNotADecision() {
        CliRun.of("judge", "").assertBadInput("QUERY is blank");
        CliRun.of("judge", " \t ", "--no-self-knowledge").assertBadInput("QUERY is blank");
    }

    @Test
    void resampleIsACountOfFreshSelfKnowledgeSamples(@TempDir Path dir) throws IOException {
        // A negative count used to train silently on the recorded answers; on an encoder head the option was ignored.
        Path data = Files.writeString(dir.resolve("rows.jsonl"), "{\"question\": \"What is 2 plus 3?\", "
                + "\"answer\": 5, \"model_sample_answers\": [5, 5], \"time_sensitive\": false}\n");
        String out = dir.resolve("head.json").toString();
        CliRun negative = CliRun.of("judge", "train", "--criterion", "self-knowledge", "--data", data.toString(),
                "--resample", "-2", "--out", out);
        negative.assertBadInput("--resample must be >= 1");
        CliRun encoderHead = CliRun.of("judge", "train", "--criterion", "time", "--data", data.toString(),
                "--resample", "3", "--out", out);
        encoderHead.assertBadInput("--resample is for self-knowledge heads");
        assertThat(dir.resolve("head.json")).doesNotExist();
    }

    @Test
    void anOutThatCannotBeWrittenIsRefusedBeforeTraining(@TempDir Path dir) throws IOException {
        // Found only when the trained head was written, with exit 1 and a temporary file's name.
        Path data = Files.writeString(dir.resolve("rows.jsonl"), "{\"question\": \"What is 2 plus 3?\", "
                + "\"answer\": 5, \"model_sample_answers\": [5, 5]}\n");
        Path file = Files.writeString(dir.resolve("a file"), "x");
        CliRun.of("judge", "train", "--criterion", "self-knowledge", "--data", data.toString(), "--out",
                dir.toString()).assertBadInput("--out " + dir + " is a directory");
        CliRun.of("judge", "train", "--criterion", "self-knowledge", "--data", data.toString(), "--out",
                file.resolve("sub/head.json").toString()).assertBadInput(file + " is a file, not a folder");
        CliRun.of("verifier", "sample", "--out", file.resolve("chains.jsonl").toString())
                .assertBadInput(file + " is a file, not a folder");
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void aFeatureGridTrainsTheCrossValidatedWinnerOnTheRealEncoder(@TempDir Path dir) throws IOException {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            rows.append("{\"question\": \"Who is the current champion of league ").append(i)
                    .append("?\", \"time_sensitive\": true}\n");
            rows.append("{\"question\": \"Who painted picture number ").append(i)
                    .append(" in 1890?\", \"time_sensitive\": false}\n");
        }
        Path data = Files.writeString(dir.resolve("rows.jsonl"), rows);
        Path out = dir.resolve("head.json");
        assertThat(ReasoningCli.execute("judge", "train", "--criterion", "time", "--data", data.toString(),
                "--feature-sets", "0,v2+layer2", "--cv-repeats", "1", "--out", out.toString())).isZero();
        LinearHead head = LinearHead.read(out);
        assertThat(head.provenance().heldOut().accuracy()).isEqualTo(1.0);
        assertThat(head.dimension()).isIn(384, 2 * 384 + head.lexicalFeatures());
    }

    @Test
    void criterionNamesRoundTrip() {
        for (CriterionKind kind : CriterionKind.values()) {
            assertThat(JudgeCommand.Train.parseKind(RetrievalSetup.cliName(kind))).isEqualTo(kind);
        }
        assertThat(RetrievalSetup.cliName(CriterionKind.SELF_KNOWLEDGE)).isEqualTo("self-knowledge");
    }
}
