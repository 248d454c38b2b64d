package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.api.prompt.PromptOptimizer;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.fixtures.RecordedChains;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.SemanticAnswerExtractor;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.prompt.EmbeddingZeroShotClassifier;
import dev.reasoningsdk.impl.prompt.GeneticAlgorithm;
import dev.reasoningsdk.impl.prompt.HillClimbing;
import dev.reasoningsdk.impl.prompt.SearchSettings;
import dev.reasoningsdk.impl.prompt.TabuSearch;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded sentence encoder (LangChain4j's all-MiniLM-L6-v2) and what is built on it, shared by several threads:
 * each sentence is embedded alone in its pass, so a concurrent embedding is bit for bit the one made alone, and the
 * semantic extractor's cache and the learned verifier give alone what they give together.
 */
class EncoderConcurrencyTest {

    private static AllMiniLmL6V2Encoder encoder;
    private static List<RecordedChains.Gsm8kQuestion> questions;

    @BeforeAll
    static void load() {
        encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
        questions = RecordedChains.gsm8k().subList(0, 6);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void embeddingsAndPooledLayersAreTheSameBitForBit() throws InterruptedException {
        List<String> sentences = new ArrayList<>();
        questions.forEach(question -> sentences.add(question.question()));
        ConcurrentUse.sameConcurrentlyAsAlone(sentences, sentence -> {
            EncodedSentence encoded = encoder.encodeAll(List.of(sentence), Set.of(0, 3, 6)).get(0);
            assertThat(encoded.embedding()).containsExactly(encoder.embed(sentence));
            return Arrays.toString(encoded.embedding()) + Arrays.toString(encoded.layerMean(0))
                    + Arrays.toString(encoded.layerMean(3)) + Arrays.toString(encoded.layerMean(6));
        });
    }

    @Test
    void theSemanticExtractorsCacheGivesTheSameSimilaritiesUnderContention() throws InterruptedException {
        // A cache of three answers is cleared again and again while other threads read it.
        SemanticAnswerExtractor extractor = SemanticAnswerExtractor.builder().encoder(encoder).cacheSize(3).build();
        List<String> answers = List.of("Paris", "the city of Paris", "London", "42 apples", "forty-two apples",
                "Paris, France", "Berlin");
        List<String> pairs = new ArrayList<>();
        for (String first : answers) {
            for (String second : answers) {
                pairs.add(first + "|" + second);
            }
        }
        ConcurrentUse.sameConcurrentlyAsAlone(pairs, pair -> {
            String[] both = pair.split("\\|");
            return extractor.similarity(both[0], both[1]) + " " + extractor.equivalent(both[0], both[1]);
        });
    }

    @Test
    void theLearnedVerifierScoresTheSameConcurrently() throws InterruptedException {
        LearnedVerifier verifier = LearnedVerifier.of(encoder);
        ConcurrentUse.sameConcurrentlyAsAlone(questions, question -> {
            List<ReasoningChain> chains = question.chains();
            return verifier.probabilities(question.question(), chains) + " "
                    + verifier.amongChains(chains).scoreGlobally(question.question(), chains).scores();
        });
    }

    @Test
    void promptSearchesSharingOneObjectiveFindWhatEachFindsAlone() throws IOException, InterruptedException {
        // Real FreshQA questions labelled by the real encoder; the classifier's description cache is shared.
        List<JsonNode> rows = JsonLines.read(ProjectData.require("data/freshqa_time_sensitivity/freshqa_v11132023.jsonl"))
                .stream().limit(30).map(JsonLines.Row::node).toList();
        List<String> inputs = rows.stream().map(row -> row.get("question").asText()).toList();
        List<String> gold = rows.stream().map(row -> row.get("time_sensitive").asBoolean() ? "changing" : "stable")
                .toList();
        EmbeddingZeroShotClassifier classifier = EmbeddingZeroShotClassifier.of(encoder, List.of("changing",
                "stable"));
        PromptObjective objective = classifier.objective(inputs, gold);
        String initial = classifier.prompt(Map.of("changing", "a question about something that changes",
                "stable", "a question about something that stays the same"));
        // Each search scores its candidates on two threads of its own, while the others run.
        SearchSettings settings = SearchSettings.builder().maxEvaluations(10).maxIterations(20).concurrency(2)
                .seed(4).build();
        List<PromptOptimizer> optimizers = List.of(HillClimbing.builder().settings(settings).build(),
                TabuSearch.builder().settings(settings).build(), GeneticAlgorithm.builder().settings(settings).build());
        ConcurrentUse.sameConcurrentlyAsAlone(optimizers, optimizer -> {
            OptimizationResult result = optimizer.optimize(initial, objective);
            assertThat(result.evaluations()).as(result.method()).isGreaterThan(1);
            return result.method() + " " + result.initialScore() + " " + result.bestScore() + " "
                    + result.bestPrompt() + " " + result.history() + " " + result.evaluations() + " "
                    + result.failedEvaluations() + " " + result.stopReason() + " "
                    + ConcurrentUse.counts(result.usage());
        });
    }

    @Test
    void theRetrievalJudgeDecidesTheSameConcurrentlyWithItsCriteriaInParallel() throws InterruptedException {
        // The shipped encoder heads and the tiny reasoner's self-knowledge head, the criteria of every caller run
        // on one small shared pool.
        ExecutorService criteriaPool = Executors.newFixedThreadPool(2);
        try (HuggingFaceOnnxModel reasoner = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU)
                .intraOpThreads(1).build()) {
            UnifiedActiveRetrieval.Builder builder = UnifiedActiveRetrieval.builder().parallelCriteria(criteriaPool);
            UnifiedActiveRetrieval.withDefaultHeads(encoder, HiddenStateSelfKnowledge.tinyReasoner(reasoner))
                    .criteria().values().forEach(builder::criterion);
            UnifiedActiveRetrieval judge = builder.build();
            List<String> queries = new ArrayList<>(List.of("Who won the most recent Nobel Prize in Physics?",
                    "Translate 'good morning' into French.", "What is the capital of Australia?"));
            queries.add(questions.get(0).question());
            ConcurrentUse.sameConcurrentlyAsAlone(queries, query -> {
                RetrievalDecision decision = judge.judge(query);
                StringBuilder out = new StringBuilder(decision.retrieve() + " " + decision.decidedBy());
                decision.criteria().forEach((kind, result) -> out.append(' ').append(kind).append('=')
                        .append(result.probability()).append(' ').append(result.evidence()).append(' ')
                        .append(ConcurrentUse.counts(result.usage())));
                return out.toString();
            });
        } finally {
            criteriaPool.shutdownNow();
        }
    }
}
