package dev.reasoningsdk.impl.onnx;

import static dev.reasoningsdk.impl.onnx.ConcurrentUse.counts;
import static dev.reasoningsdk.impl.onnx.ConcurrentUse.fingerprint;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.confidence.ConfidenceChatResponseMetadata;
import dev.reasoningsdk.impl.confidence.ConfidenceGatedChatModel;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.LocalCausalLmChatModel;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The components documented thread-safe, used from several threads at once on the embedded tiny reasoner (one
 * shared model instance, as an application shares it). Each test runs the same work alone first and then
 * concurrently, twice over, and asserts what cannot depend on timing: a seeded run gives exactly what it gave
 * alone, and counts add up exactly.
 */
class TinyReasonerConcurrencyTest {

    private static HuggingFaceOnnxModel model;
    private static List<String> questions;

    @BeforeAll
    static void load() throws IOException {
        model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
        ObjectMapper json = new ObjectMapper();
        questions = new ArrayList<>();
        for (String line : Files.readAllLines(ProjectData.require("models/tiny-reasoner/eval-problems.jsonl"))) {
            JsonNode row = json.readTree(line);
            // Two-, three- and four-step problems: the model gets some wrong, so votes and judges have work to do.
            if (row.path("steps").asInt() == 2 + questions.size() % 3 && questions.size() < 4) {
                questions.add(row.path("question").asText());
            }
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** {@link ConcurrentUse#sameConcurrentlyAsAlone} over the questions. */
    private static <T> void sameConcurrentlyAsAlone(Function<String, T> work, Function<T, String> fingerprint)
            throws InterruptedException {
        ConcurrentUse.sameConcurrentlyAsAlone(questions, question -> fingerprint.apply(work.apply(question)));
    }

    @Test
    void aggregatorsGiveTheSameResultConcurrentlyAsAlone() throws InterruptedException {
        LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(0.8).maxTokens(80).build();
        MajorityVote vote = MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8)
                .samples(6).seed(3).build();
        AggregationOfReasoning aor = AggregationOfReasoning.builder().extractor(AnswerExtractors.numeric())
                .scorer(ArithmeticVerifier.create()).sampler(sampler, 0.8).initialSamples(4).maxSamples(8).seed(5).build();
        for (Aggregator aggregator : List.of(vote, aor)) {
            sameConcurrentlyAsAlone(aggregator::solve, result -> {
                assertThat(result.totalChains()).as(result.method()).isEqualTo(result.usage().samples());
                return fingerprint(result);
            });
        }
    }

    @Test
    void stepSearchFollowsTheSamePathConcurrentlyAsAlone() throws InterruptedException {
        // The learned process reward keeps a cache of prefix values shared by every search using it.
        HiddenStateStepReward reward = HiddenStateStepReward.tinyReasoner(model);
        for (StepSearch.Strategy strategy : StepSearch.Strategy.values()) {
            StepSearch search = StepSearch.builder().model(model).reward(reward).strategy(strategy).maxTokens(240)
                    .seed(11).build();
            sameConcurrentlyAsAlone(search::solve, (StepSearchResult result) -> {
                assertThat(result.generatedTokens()).isBetween(1L, 240L);
                // Whether the reward read a prefix or found it in that shared cache depends on which search came
                // first; the prefixes it read do not, nor does what the expansions cost.
                Usage all = result.usage();
                Usage passes = result.rewardUsage();
                return result.answer() + " " + result.path() + " expansions=" + result.expansions() + " "
                        + result.stopReason() + " tokens=" + result.generatedTokens() + " samples=" + all.samples()
                        + " expansion calls=" + (all.modelCalls() - passes.modelCalls()) + " expansion failed="
                        + (all.failedCalls() - passes.failedCalls()) + " expansion in="
                        + (all.inputTokens() - passes.inputTokens()) + " out=" + all.outputTokens()
                        + " prefixes read=" + (passes.modelCalls() + passes.cacheHits());
            });
        }
    }

    @Test
    void estimatorsAndCriteriaGiveTheSameResultConcurrentlyAsAlone() throws InterruptedException {
        LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(0.8).maxTokens(80).build();
        List<ConfidenceEstimator> estimators = List.of(
                SamplingConsistency.builder().extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8)
                        .samples(5).seed(9).build(),
                TokenProbabilityConfidence.builder().model(model).promptFormat(TinyReasoner::prompt)
                        .generationOptions(GenerationOptions.greedy(80)).build());
        for (ConfidenceEstimator estimator : estimators) {
            sameConcurrentlyAsAlone(estimator::estimate, (ConfidenceEstimate estimate) -> estimate.answer() + " "
                    + estimate.confidence() + " " + estimate.signals() + " " + estimate.rationale() + " "
                    + counts(estimate.usage()));
        }
        Criterion selfKnowledge = HiddenStateSelfKnowledge.tinyReasoner(model);
        sameConcurrentlyAsAlone(selfKnowledge::evaluate, (CriterionResult result) -> result.kind() + " "
                + result.probability() + " " + result.evidence() + " " + counts(result.usage()));
    }

    @Test
    void aSamplerGivesEachSeedItsOwnChainsConcurrently() throws InterruptedException {
        LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(0.8).maxTokens(80).build();
        String prompt = questions.get(1);
        Function<Integer, String> batch = seed -> {
            SampleBatch drawn = sampler.sample(prompt, 3, 100L * seed);
            // One batched pass of the local model is one call, whatever the batch's size.
            assertThat(drawn.usage().modelCalls()).isEqualTo(1);
            assertThat(drawn.samples().size() + drawn.failures().size()).isEqualTo(3);
            return drawn.chains("tiny").stream().map(chain -> chain.text()).toList() + " " + counts(drawn.usage());
        };
        List<String> alone = IntStream.range(0, 6).boxed().map(batch).toList();
        List<String> together = ConcurrentUse.run(
                IntStream.range(0, 6).<Callable<String>>mapToObj(seed -> () -> batch.apply(seed)).toList());
        assertThat(together).isEqualTo(alone);
    }

    @Test
    void oneScopeSharedByManyThreadsSpendsItsCallBudgetExactly() throws InterruptedException {
        // A greedy chat model, so that every reply is the same whichever thread got which call.
        LocalCausalLmChatModel chat = LocalCausalLmChatModel.builder().model(model).temperature(0).maxTokens(60).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from(questions.get(0))).build();
        String expected = chat.chat(request).aiMessage().text();
        try (ModelGateway gateway = ModelGateway.builder().model(chat).concurrency(2).build()) {
            CallScope scope = gateway.session(gateway.budget().withMaxCalls(10));
            List<Callable<List<CallResult>>> callers = IntStream.range(0, 6).<Callable<List<CallResult>>>mapToObj(
                    caller -> () -> IntStream.range(0, 4).mapToObj(call -> scope.call(request)).toList()).toList();
            List<CallResult> results = ConcurrentUse.run(callers).stream().flatMap(List::stream).toList();

            List<CallResult> answered = results.stream().filter(CallResult::ok).toList();
            assertThat(answered).hasSize(10).allSatisfy(result -> assertThat(result.text()).isEqualTo(expected));
            assertThat(results).filteredOn(result -> !result.ok()).hasSize(14).allSatisfy(result ->
                    assertThat(result.failure()).contains(CallFailure.BUDGET_EXHAUSTED));
            Usage total = results.stream().map(CallResult::usage).reduce(Usage.NONE, Usage::plus);
            Usage spent = scope.usage();
            assertThat(spent.modelCalls()).isEqualTo(10).isEqualTo(total.modelCalls());
            assertThat(spent.failedCalls()).isZero().isEqualTo(total.failedCalls());
            assertThat(spent.outputTokens()).isEqualTo(total.outputTokens())
                    .isEqualTo(10 * answered.get(0).usage().outputTokens());
            assertThat(spent.inputTokens()).isEqualTo(total.inputTokens());
            assertThat(scope.isExhausted()).isTrue();
        }
    }

    @Test
    void samplersSharingAGatewayKeepTheirOwnCounts() throws InterruptedException {
        // Seeds are per call of the chat model, in the order calls reach it; concurrent batches interleave, so
        // the replies as a whole are those of as many calls made alone, in some order.
        int batches = 4;
        int perBatch = 3;
        List<String> alone = new ArrayList<>();
        LocalCausalLmChatModel sequential = LocalCausalLmChatModel.builder().model(model).temperature(0.8).maxTokens(60).seed(21).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from(questions.get(2))).build();
        for (int i = 0; i < batches * perBatch; i++) {
            alone.add(sequential.chat(request).aiMessage().text());
        }
        LocalCausalLmChatModel shared = LocalCausalLmChatModel.builder().model(model).temperature(0.8).maxTokens(60).seed(21).build();
        try (ModelGateway gateway = ModelGateway.builder().model(shared).concurrency(3).build();
             ChatModelSampler sampler = ChatModelSampler.builder().gateway(gateway).temperature(0.8).build()) {
            List<SampleBatch> drawn = ConcurrentUse.run(IntStream.range(0, batches).<Callable<SampleBatch>>mapToObj(
                    batch -> () -> sampler.sample(questions.get(2), perBatch, 0)).toList());
            List<String> texts = new ArrayList<>();
            for (SampleBatch batch : drawn) {
                Usage usage = batch.usage();
                assertThat(batch.samples()).hasSize(perBatch);
                assertThat(usage.modelCalls()).isEqualTo(usage.samples() + usage.failedCalls()).isEqualTo(perBatch);
                batch.samples().forEach(sample -> texts.add(sample.text()));
            }
            assertThat(texts).containsExactlyInAnyOrderElementsOf(alone);
        }
    }

    @Test
    void aGatedChatModelAnswersEachRequestAsItDoesAlone() throws InterruptedException {
        // A greedy delegate, so that a request's samples do not depend on which calls other requests took.
        LocalCausalLmChatModel chat = LocalCausalLmChatModel.builder().model(model).temperature(0).maxTokens(80)
                .build();
        ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder().delegate(chat).samples(3).threshold(0.5)
                .build();
        sameConcurrentlyAsAlone(question -> gated.chat(ChatRequest.builder().messages(UserMessage.from(question))
                .build()), response -> {
                    ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) response.metadata();
                    Usage usage = metadata.usage();
                    assertThat(usage.modelCalls()).isEqualTo(usage.samples() + usage.failedCalls()).isEqualTo(3);
                    return response.aiMessage().text() + " " + metadata.confidence() + " " + metadata.refused() + " "
                            + metadata.rationale() + " " + counts(usage);
                });
    }
}
