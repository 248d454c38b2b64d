package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.prompt.ClassificationObjective;
import dev.reasoningsdk.impl.prompt.EmbeddingZeroShotClassifier;
import dev.reasoningsdk.impl.prompt.HillClimbing;
import dev.reasoningsdk.impl.prompt.SearchSettings;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prompt search: a short hill-climbing run (Plum) edits the label descriptions of an encoder zero-shot classifier
 * on 40 MetaTool queries ("needs a tool?"), offline.
 */
final class PromptSearchDemo implements DemoSection {

    @Override
    public String title() {
        return "Prompt search (hill climbing on zero-shot label descriptions)";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        List<LabeledJsonl.Example> examples = LabeledJsonl.read(SharedData.locate().resolve(
                "retrieval_need/metatool_tool_awareness.jsonl"), "query", "needs_tool", 40);
        List<String> queries = examples.stream().map(LabeledJsonl.Example::text).toList();
        List<String> gold = examples.stream().map(LabeledJsonl.Example::label).toList();
        try (AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(2).build()) {
            EmbeddingZeroShotClassifier classifier = EmbeddingZeroShotClassifier.of(encoder, List.of("true", "false"));
            ClassificationObjective objective = classifier.objective(queries, gold);
            String initial = classifier.prompt(Map.of("true", "a request that needs a tool",
                    "false", "a request that needs no tool"));
            OptimizationResult result = HillClimbing.builder().settings(SearchSettings.builder().maxEvaluations(30)
                    .maxIterations(30).patience(5).seed(1).build()).build().optimize(initial, objective);
            out.printf(Locale.ROOT, "initial descriptions (score %.1f): %s%n", result.initialScore(),
                    initial.replace("\n", " | "));
            out.printf(Locale.ROOT, "best descriptions    (score %.1f): %s%n", result.bestScore(),
                    result.bestPrompt().replace("\n", " | "));
            out.printf(Locale.ROOT, "%d prompts scored, stopped by %s, %.1f s%n", result.evaluations(),
                    result.stopReason(), result.usage().wallTime().toMillis() / 1000.0);
        }
    }
}
