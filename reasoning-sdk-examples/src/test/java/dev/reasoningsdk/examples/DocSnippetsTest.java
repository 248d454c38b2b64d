package dev.reasoningsdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the Java snippets of README.md and docs/*.md the code the build runs: every {@code ```java} block is listed
 * here with the sources that run it, and each of its statements (comments and white space aside, after the listed
 * substitutions for names the runnable code must differ in) is found in them. A new snippet, or an edited one whose
 * code no longer runs anywhere, fails here. Reads the files as text from the reactor root, as
 * {@link PublishedArtifactsTest} does.
 */
class DocSnippetsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
    private static final String EXAMPLES = "reasoning-sdk-examples/src/";
    private static final String QUICK_START = EXAMPLES + "main/java/dev/reasoningsdk/examples/QuickStart.java";

    /** Where a snippet runs, and what the runnable code names differently. */
    private record Runs(List<String> sources, Map<String, String> substitutions) {
        static Runs in(String... sources) {
            return new Runs(List.of(sources), Map.of());
        }

        Runs with(String written, String run) {
            Map<String, String> all = new LinkedHashMap<>(substitutions);
            all.put(written, run);
            return new Runs(sources, all);
        }
    }

    /** Every Java snippet, by file and its order in the file, with the sources that run it. */
    private static final Map<String, Runs> SNIPPETS = Map.of(
            "README.md#1", Runs.in(QUICK_START)
                    .with("AggregationResult result = aor.solve(\"Sam has 14 apples. He buys 7 more. How many apples"
                            + " does Sam have?\")", "return aor.solve(question)")
                    .with(".delegate(chatModel)", ".delegate(sampling)"),
            "README.md#2", Runs.in(QUICK_START)
                    .with("StepSearchResult result = search.solve(\"Sam has 14 apples. He buys 7 more. How many apples"
                            + " does Sam have?\")", "return search.solve(question)"),
            "README.md#3", Runs.in(EXAMPLES + "test/java/dev/reasoningsdk/examples/QuickStartTest.java")
                    .with("try (CausalLanguageModel model = TinyReasoner.create();", "model = TinyReasoner.create();"),
            "README.md#4", Runs.in(EXAMPLES + "main/java/dev/reasoningsdk/examples/spark/SparkJudges.java",
                            EXAMPLES + "test/java/dev/reasoningsdk/examples/spark/SparkJudgeJobTest.java")
                    .with("ExecutorResource<RetrievalJudge> judge = ExecutorResource.of(", "return ExecutorResource.of(")
                    .with("json(\"queries.jsonl\")", "json(queries.toString())"),
            "docs/local-models.md#1", Runs.in("reasoning-sdk-impl/reasoning-sdk-onnx/src/test/java/dev/reasoningsdk/"
                            + "impl/onnx/hf/LocalModelsDocSnippetTest.java")
                    .with("Path.of(\"qwen3-export\")", "folder")
                    .with("String prompt =", "prompt =")
                    .with("Generation reply =", "reply ="),
            "docs/retrieval.md#1", Runs.in(EXAMPLES + "test/java/dev/reasoningsdk/examples/RetrievalDocSnippetTest.java"));

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every Java snippet of README.md and docs/*.md, keyed as in {@link #SNIPPETS}. */
    private static Map<String, String> snippets() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        Map<String, String> snippets = new LinkedHashMap<>();
        for (Path doc : docs) {
            Matcher block = JAVA_BLOCK.matcher(read(doc));
            for (int i = 1; block.find(); i++) {
                snippets.put(ROOT.relativize(doc).toString().replace('\\', '/') + "#" + i, block.group(1));
            }
        }
        return snippets;
    }

    /** Code without comments and without white space, so that line breaks and alignment do not matter. */
    private static String code(String text) {
        return text.replaceAll("(?m)(^|\\s)//.*$", "").replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("\\s+", "");
    }

    @Test
    void everyJavaSnippetInTheDocsIsListedWithTheCodeThatRunsIt() throws IOException {
        assertThat(snippets().keySet()).containsExactlyInAnyOrderElementsOf(SNIPPETS.keySet());
    }

    @Test
    void everyStatementOfEverySnippetIsInTheCodeThatRunsIt() throws IOException {
        for (Map.Entry<String, String> snippet : snippets().entrySet()) {
            Runs runs = SNIPPETS.get(snippet.getKey());
            assertThat(runs).as(snippet.getKey()).isNotNull();
            String written = snippet.getValue();
            for (Map.Entry<String, String> substitution : runs.substitutions().entrySet()) {
                assertThat(written).as(snippet.getKey()).contains(substitution.getKey());
                written = written.replace(substitution.getKey(), substitution.getValue());
            }
            String run = code(String.join("\n", runs.sources().stream().map(ROOT::resolve).map(DocSnippetsTest::read)
                    .toList()));
            List<String> statements = Arrays.stream(code(written).split("[;{}]")).filter(s -> !s.isEmpty()).toList();
            assertThat(statements).as(snippet.getKey()).hasSizeGreaterThan(1);
            assertThat(statements).as(snippet.getKey() + " in " + runs.sources())
                    .allSatisfy(statement -> assertThat(run).contains(statement));
        }
    }
}
