package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.SafetensorsWriter;
import dev.reasoningsdk.impl.merge.internal.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MergeCommandTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    @Test
    void mergesTheTinyReasonerPairFromAConfig() throws Exception {
        Path pair = SharedData.find(MergeDemo.TUNED_PAIR).orElseThrow();
        Path config = Files.writeString(dir.resolve("merge.yaml"), "merge_method: slerp\n"
                + "base_model: " + pair.resolve("base.safetensors") + "\n"
                + "models:\n  - model: " + pair.resolve("tuned.safetensors") + "\n"
                + "parameters:\n  t: [0.2, 0.8]\n");
        Path out = dir.resolve("out");
        assertThat(ReasoningCli.execute("merge", config.toString(), out.toString(), "--max-shard-size", "4MB"))
                .isZero();
        assertThat(out.resolve("model.safetensors.index.json")).exists();
        assertThat(out.resolve("model-00001-of-00005.safetensors")).exists();
    }

    @Test
    void anOnnxMergeRefusesShardingByTheOptionTheUserGave() throws Exception {
        // The line named only the Java plan's field (maxShardBytes), which a CLI user never typed.
        Path pair = SharedData.find(MergeDemo.TUNED_PAIR).orElseThrow();
        Path config = Files.writeString(dir.resolve("onnx.yaml"), "merge_method: linear\nmodels:\n"
                + "  - model: " + pair.resolve("tiny-reasoner-tuned.onnx") + "\n    parameters: {weight: 1}\n");
        CliRun.of("merge", config.toString(), dir.resolve("out").toString(), "--max-shard-size", "1MB")
                .assertBadInput("an ONNX merge writes one file; drop maxShardBytes (reasoning merge: "
                        + "--max-shard-size)");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void unsupportedKeysExitWithBadInput() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "merge_method: linear\nchat_template: auto\n"
                + "models: []\n");
        assertThat(ReasoningCli.execute("merge", config.toString(), dir.resolve("out").toString())).isEqualTo(2);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void sizesParse() {
        assertThat(MergeCommand.parseSize("5GB")).isEqualTo(5_000_000_000L);
        assertThat(MergeCommand.parseSize("2MiB")).isEqualTo(2L << 20);
        assertThat(MergeCommand.parseSize("123")).isEqualTo(123);
    }

    /** A one-tensor F32 checkpoint. */
    private static Path checkpoint(Path file, float... values) throws Exception {
        Files.createDirectories(file.getParent());
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putFloat(value);
        }
        try (SafetensorsWriter writer = SafetensorsWriter.single(file, Map.of(),
                List.of(new TensorSpec("w", Dtype.F32, List.of((long) values.length))))) {
            writer.write(bytes.flip());
            writer.commit();
        }
        return file;
    }

    /** A linear config over the two models (paths relative to the config), with extra global parameters. */
    private Path config(String first, String second, String weight, String parameters) throws Exception {
        return Files.writeString(dir.resolve("merge.yml"), "merge_method: linear\nmodels:\n"
                + "  - model: " + first + "\n    parameters: {weight: " + weight + "}\n"
                + "  - model: " + second + "\n    parameters: {weight: 1}\n" + parameters);
    }

    /** Runs the merge, expecting exit 2 and one line on stderr naming {@code file}. */
    private void assertRefused(Path config, Path outDir, String file) {
        CommandLine commandLine = ReasoningCli.newCommandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("merge", config.toString(), outDir.toString()))
                .as("stderr: %s", err).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(err.toString().lines()).as("one line").hasSize(1).first().asString().contains(file);
    }

    @Test
    void anOutdirThatHoldsAnInputIsRefusedAndTheInputKept() throws Exception {
        Path input = checkpoint(dir.resolve("modelA").resolve("model.safetensors"), 1, 2, 3);
        checkpoint(dir.resolve("other.safetensors"), 4, 5, 6);
        byte[] before = Files.readAllBytes(input);
        assertRefused(config("modelA", "other.safetensors", "1", ""), dir.resolve("modelA"), input.toString());
        assertThat(Files.readAllBytes(input)).isEqualTo(before);
        try (Stream<Path> listing = Files.list(dir.resolve("modelA"))) {
            assertThat(listing).containsExactly(input);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoGivenAsAModelIsRefusedAndNoOutdirCreated() throws Exception {
        checkpoint(dir.resolve("good.safetensors"), 1, 2);
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("pipe.safetensors").toString()).start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).as("mkfifo").isTrue();
        assertRefused(config("good.safetensors", "pipe.safetensors", "1", ""), dir.resolve("out"),
                "pipe.safetensors' is a FIFO");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aDirectoryWhereAFileIsExpectedIsSaidSo() throws Exception {
        checkpoint(dir.resolve("good.safetensors"), 1, 2);
        Path holder = Files.createDirectories(dir.resolve("holder").resolve("model.safetensors"));
        assertRefused(config("good.safetensors", "holder", "1", ""), dir.resolve("out"),
                holder + ": is a directory, not a file");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aWeightBeyondFloatRangeIsRefused() throws Exception {
        checkpoint(dir.resolve("a.safetensors"), 1, 2);
        checkpoint(dir.resolve("b.safetensors"), 3, 4);
        Path config = config("a.safetensors", "b.safetensors", "1.0e+308", "");
        assertRefused(config, dir.resolve("out"), config + ": models[0].parameters.weight is 1.0E308");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aMergedValueThatOverflowsIsRefusedAndNothingLeft() throws Exception {
        checkpoint(dir.resolve("a.safetensors"), 1, 3e38f);
        checkpoint(dir.resolve("b.safetensors"), 2, 3e38f);
        Path out = dir.resolve("out");
        assertRefused(config("a.safetensors", "b.safetensors", "1", "parameters: {normalize: false}\n"), out,
                out.resolve("model.safetensors") + ": tensor 'w' element 1 merges to Infinity from finite inputs");
        assertThat(out).doesNotExist();
    }

    @Test
    void temporaryFilesOfAKilledMergeAreRemovedAndTheMergeSucceeds() throws Exception {
        checkpoint(dir.resolve("a.safetensors"), 1, 2);
        checkpoint(dir.resolve("b.safetensors"), 3, Float.NaN);
        Path out = Files.createDirectories(dir.resolve("out"));
        Path stale = Files.write(out.resolve(".model.safetensors.0123456789abcdef.tmp"), new byte[64]);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            exit = ReasoningCli.execute("merge", config("a.safetensors", "b.safetensors", "1", "").toString(),
                    out.toString());
        } finally {
            System.setOut(original);
        }
        assertThat(exit).isZero();
        assertThat(stale).doesNotExist();
        assertThat(out.resolve("model.safetensors")).exists();
        JsonNode report = new ObjectMapper().readTree(stdout.toString(StandardCharsets.UTF_8));
        assertThat(report.get("non_finite_values").asLong()).as("the NaN carried over from b").isEqualTo(1);
    }
}
