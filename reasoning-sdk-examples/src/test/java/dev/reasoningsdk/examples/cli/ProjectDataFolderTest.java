package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.impl.retrieval.LabelledText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's own copy of its data and models ({@code reasoning-sdk-examples/data}): what the defaults read comes
 * from it, every file is an unchanged, listed copy, and SelfAware (not redistributable) is not in it.
 */
class ProjectDataFolderTest {

    /** The folder, found through the CLI's resolver by the checksum list only the project's copy has. */
    private static Path folder() {
        Path sums = SharedData.find("SHA256SUMS").orElseThrow(() -> new AssertionError(
                "no SHA256SUMS in the project's data folder above " + System.getProperty("user.dir")));
        assertThat(sums.getParent()).endsWith(Path.of("reasoning-sdk-examples", "data"));
        return sums.getParent();
    }

    @Test
    void theDefaultInputsOfTheDemoAndTheBenchesAreTheProjectsCopies() {
        Path folder = folder();
        for (String relative : List.of("data", ModelSolutions.DEFAULT_FILE, BenchReasonerCommand.EVAL_FILE,
                MergeDemo.TUNED_PAIR, "data/retrieval_need/metatool_tool_awareness.jsonl",
                "data/knowledge_intensive/knowledge_intensive_balanced.jsonl",
                "data/freshqa_time_sensitivity/freshqa_v11132023.jsonl")) {
            assertThat(SharedData.find(relative)).as(relative).contains(folder.resolve(relative));
        }
    }

    @Test
    void everyFileIsAListedUnchangedCopy() throws IOException {
        Path folder = folder();
        Map<String, String> listed = new TreeMap<>();
        for (String line : Files.readAllLines(folder.resolve("SHA256SUMS"))) {
            String[] parts = line.split(" {2}", 2);
            assertThat(parts).as(line).hasSize(2);
            listed.put(parts[1], parts[0]);
        }
        Map<String, String> present = new TreeMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = folder.relativize(file).toString().replace('\\', '/');
                if (!name.equals("README.md") && !name.equals("SHA256SUMS")) {
                    present.put(name, LabelledText.sha256(file));
                }
            }
        }
        assertThat(present).isEqualTo(listed);
    }

    @Test
    void selfAwareIsNotCopied() throws IOException {
        Path folder = folder();
        try (Stream<Path> files = Files.walk(folder)) {
            assertThat(files.map(path -> folder.relativize(path).toString().toLowerCase(Locale.ROOT)))
                    .noneMatch(path -> path.contains("selfaware"));
        }
    }
}
