package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.impl.onnx.ModelSource;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The README's promise for malformed and hostile input: exit 2 with one line on stderr that names the file; a byte
 * order mark is accepted; a directory where a file belongs is called one.
 */
class ExitCodesTest {

    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(CommandLine commandLine, String... args) {
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private int run(String... args) {
        return run(ReasoningCli.newCommandLine(), args);
    }

    /** Asserts exit 2 and a single stderr line that names {@code file} and holds every one of {@code details}. */
    private void assertBadInputNaming(int exit, Path file, String... details) {
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("reasoning: ")
                .contains(Stream.concat(Stream.of(file.toString()), Arrays.stream(details)).toList());
        assertThat(exit).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    /** A safetensors file with one F32 tensor of four values, cut to {@code dataBytes} bytes of data. */
    private Path safetensors(String name, int dataBytes) throws IOException {
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header);
        return Files.write(dir.resolve(name), file.array());
    }

    private Path randomBytes(String name, int length) throws IOException {
        byte[] bytes = new byte[length];
        new Random(7).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    private Path linearMergeConfig(Path first, Path second) throws IOException {
        return Files.writeString(dir.resolve("merge.yaml"), "merge_method: linear\nmodels:\n"
                + "  - model: " + first + "\n    parameters:\n      weight: 0.5\n"
                + "  - model: " + second + "\n    parameters:\n      weight: 0.5\n");
    }

    private int merge(Path config) {
        return run("merge", config.toString(), dir.resolve("out").toString());
    }

    @Test
    void aTruncatedSafetensorsCheckpointIsBadInput() throws IOException {
        Path truncated = safetensors("truncated.safetensors", 8);
        int exit = merge(linearMergeConfig(truncated, safetensors("whole.safetensors", 16)));
        assertBadInputNaming(exit, truncated);
    }

    @Test
    void aCorruptOnnxModelIsBadInput() throws IOException {
        Path corrupt = randomBytes("corrupt.onnx", 2000);
        int exit = merge(linearMergeConfig(corrupt, randomBytes("other.onnx", 2000)));
        assertBadInputNaming(exit, corrupt);
    }

    @Test
    void aFileThatIsNoModelGivenAsOneIsBadInput() throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.safetensors"), "shopping list, not a model\n");
        int exit = merge(linearMergeConfig(notes, safetensors("whole.safetensors", 16)));
        assertBadInputNaming(exit, notes);
    }

    /** What any command that loads an ONNX model from a path does: the library's loader. */
    @Command(name = "load")
    static final class LoadModel implements Callable<Integer> {
        @Parameters(index = "0")
        private Path model;

        @Override
        public Integer call() {
            OnnxSessionFactory.cpu(1).open(ModelSource.file(model)).close();
            return 0;
        }
    }

    @Test
    void aModelTheLoaderRefusesIsBadInput() throws IOException {
        Path corrupt = randomBytes("corrupt.onnx", 2000);
        CommandLine commandLine = ReasoningCli.newCommandLine().addSubcommand(new LoadModel());
        assertBadInputNaming(run(commandLine, "load", corrupt.toString()), corrupt);
    }

    @Test
    void randomBytesAsADataFileAreBadInputNamingTheLineAndByte() throws IOException {
        Path data = Files.write(dir.resolve("rows.jsonl"), concat("{\"question\": \"q\"}\n".getBytes(
                StandardCharsets.UTF_8), new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'}));
        int exit = run("judge", "train", "--criterion", "time", "--data", data.toString(), "--out",
                dir.resolve("head.json").toString());
        assertBadInputNaming(exit, data, "line 2", "byte offset 19", "not UTF-8");
        assertThat(dir.resolve("head.json")).doesNotExist();
    }

    @Test
    void randomBytesAsAMergeConfigAreBadInput() throws IOException {
        Path config = randomBytes("merge.yaml", 300);
        assertBadInputNaming(merge(config), config, "not UTF-8");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aMergeConfigThatIsNotYamlIsBadInputInOneLineNamingTheFile() throws IOException {
        Path config = Files.writeString(dir.resolve("merge.yaml"), "merge_method: linear\nmodels: [\n  - model: a\n"
                + "  weight: {\n");
        assertBadInputNaming(merge(config), config, "not valid YAML");
    }

    @Test
    void aDataFileWithAByteOrderMarkIsRead() throws IOException {
        StringBuilder row = new StringBuilder("{\"question\": \"What is 6 times 7?\", \"ground_truth\": \"6 * 7 = 42\\n"
                + "#### 42\"");
        for (String source : ModelSolutions.SOURCES) {
            row.append(", \"").append(source).append("\": {\"solution\": \"6 * 7 = 42. The answer is 42.\"}");
        }
        Path data = Files.write(dir.resolve("solutions.jsonl"), concat(BYTE_ORDER_MARK,
                (row + "}\n").getBytes(StandardCharsets.UTF_8)));
        assertThat(run("bench", "aggregate", "--json", "--data", data.toString())).isZero();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aDirectoryGivenAsADataFileIsCalledOne() throws IOException {
        Path notAFile = Files.createDirectory(dir.resolve("solutions.jsonl"));
        assertBadInputNaming(run("bench", "confidence", "--json", "--data", notAFile.toString()), notAFile,
                "is a directory");
    }

    @Test
    void aDirectoryGivenAsAMergeConfigIsCalledOne() throws IOException {
        Path notAFile = Files.createDirectory(dir.resolve("merge.yaml"));
        assertBadInputNaming(merge(notAFile), notAFile, "is a directory");
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
