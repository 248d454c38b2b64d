package dev.reasoningsdk.impl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.prompt.EmbeddingZeroShotClassifier;
import dev.reasoningsdk.impl.prompt.HillClimbing;
import dev.reasoningsdk.impl.prompt.MetaheuristicOptimizer;
import dev.reasoningsdk.impl.prompt.SearchSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real prompt search (zero-shot label descriptions on MiniLM, scored on MetaTool queries) on Spark and in process.
 */
class SparkCandidateEvaluatorTest {

    private static SparkSession spark;
    private static List<String> queries;
    private static List<String> gold;

    @BeforeAll
    static void start() {
        spark = SparkTestJudges.session(2);
        queries = new ArrayList<>();
        gold = new ArrayList<>();
        for (Row row : spark.read().json(SparkTestJudges.retrievalQueries().toString()).limit(30).collectAsList()) {
            queries.add(row.getAs("query"));
            gold.add(String.valueOf(row.<Boolean>getAs("needs_tool")));
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ExecutorResource.closeAll();
    }

    @Test
    void theSameSeedGivesTheInProcessHistoryAndBestPrompt() {
        List<String> texts = List.copyOf(queries);
        List<String> labels = List.copyOf(gold);
        ExecutorResource<PromptObjective> objective = ExecutorResource.of("test-zero-shot-metatool-30", closer -> {
            AllMiniLmL6V2Encoder encoder = closer.register(AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build());
            return EmbeddingZeroShotClassifier.of(encoder, List.of("true", "false")).objective(texts, labels);
        });
        SearchSettings settings = SearchSettings.builder().maxEvaluations(16).maxIterations(4).patience(4).seed(3)
                .build();
        MetaheuristicOptimizer search = HillClimbing.builder().settings(settings).build();
        String initial;
        OptimizationResult inProcess;
        try (AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build()) {
            EmbeddingZeroShotClassifier classifier = EmbeddingZeroShotClassifier.of(encoder, List.of("true", "false"));
            initial = classifier.prompt(Map.of("true", "a request that needs a tool",
                    "false", "a request that needs no tool"));
            inProcess = search.optimize(initial, classifier.objective(texts, labels));
        }

        OptimizationResult onSpark = SparkCandidateEvaluator.builder().spark(spark).objective(objective).build()
                .optimize(search, initial);

        assertThat(inProcess.history().size()).isGreaterThan(4);
        assertThat(onSpark.history()).isEqualTo(inProcess.history());
        assertThat(onSpark.bestPrompt()).isEqualTo(inProcess.bestPrompt());
        assertThat(onSpark.bestScore()).isEqualTo(inProcess.bestScore());
        assertThat(onSpark.evaluations()).isEqualTo(inProcess.evaluations());
        assertThat(onSpark.stopReason()).isEqualTo(inProcess.stopReason());
    }
}
