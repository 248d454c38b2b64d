package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.fixtures.ForwardingCausalLanguageModel;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.openai.OpenAiChatModels;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link StepSearch} at the model's context, on the random-weight Qwen3 export (a 1,024-token context, a byte-level
 * BPE tokenizer; its random text seldom ends a step or the chain, so chains run into the context), in process and
 * served by {@link LocalOpenAiServer} over real HTTP on loopback: a chain the context cut off is not finished, it is
 * counted, and it is not continued again, and the budget and the costs stay exact.
 */
class StepSearchContextLimitTest {

    private static HuggingFaceOnnxModel qwen;

    @BeforeAll
    static void load() {
        qwen = HuggingFaceOnnxModel.builder().folder(ProjectData.require("models/qwen3-tiny-random"))
                .executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        qwen.close();
    }

    /** The model, recording what each call asked and what it generated. */
    private static final class Recording extends ForwardingCausalLanguageModel {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger fullPromptCalls = new AtomicInteger();
        final AtomicLong generatedTokens = new AtomicLong();
        final AtomicLong promptTokens = new AtomicLong();
        final AtomicInteger endedBySequenceEnd = new AtomicInteger();
        final AtomicInteger endedByContext = new AtomicInteger();

        Recording(CausalLanguageModel model) {
            super(model);
        }

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            calls.incrementAndGet();
            if (delegate().promptTokenCount(prompt).orElseThrow() >= contextLength()) {
                fullPromptCalls.incrementAndGet();
            }
            List<Generation> generations = delegate().generate(prompt, count, options);
            for (Generation generation : generations) {
                generatedTokens.addAndGet(generation.tokenIds().length);
                promptTokens.addAndGet(generation.promptTokens());
                switch (generation.finishReason()) {
                    case END_OF_SEQUENCE -> endedBySequenceEnd.incrementAndGet();
                    case CONTEXT_LENGTH -> endedByContext.incrementAndGet();
                    case MAX_NEW_TOKENS -> { }
                }
            }
            return generations;
        }
    }

    /** A question whose prompt (the model's chat template around it) leaves about {@code room} tokens of context. */
    private static String questionLeaving(int room) {
        StringBuilder question = new StringBuilder("Sam has 14 apples.");
        while (qwen.promptTokenCount(qwen.formatPrompt(question + " He buys 7 more.")).orElseThrow()
                < qwen.contextLength() - room) {
            question.append(" He buys 7 more.");
        }
        return question.append(" How many apples does Sam have?").toString();
    }

    /** What holds for every search that ran into the context, in process or served. */
    private static void assertCutOffAndCounted(StepSearchResult result, Recording model, long budget, String at) {
        // Chains ran into the context, and the result says how many paths ended there.
        assertThat(model.endedByContext.get()).as(at).isPositive();
        assertThat(result.contextCutOffs()).as(at).isPositive();
        // Only the model's end of sequence finishes a chain: before, a continuation the context cut off ended its
        // chain as if the model had, and that chain was a sample that voted.
        if (model.endedBySequenceEnd.get() == 0) {
            assertThat(result.usage().samples()).as(at).isZero();
            assertThat(result.complete()).as(at).isFalse();
            assertThat(result.answer()).as(at).isEmpty();
            assertThat(result.stopReason()).as(at).isIn(StopReason.NO_ANSWER, StopReason.BUDGET_EXHAUSTED);
        }
        // The budget holds, and every generated token counts, those of chains cut off included.
        assertThat(result.generatedTokens()).as(at).isEqualTo(model.generatedTokens.get()).isBetween(1L, budget);
    }

    @Test
    void inProcessAChainTheContextCutsOffEndsWithoutAFailedCall() {
        String question = questionLeaving(60);
        long budget = 120;
        for (StepSearch.Strategy strategy : StepSearch.Strategy.values()) {
            Recording model = new Recording(qwen);
            StepSearchResult result = StepSearch.builder().model(model).strategy(strategy).maxTokens(budget).seed(3)
                    .build().solve(question);
            String at = strategy.toString();
            assertCutOffAndCounted(result, model, budget, at);
            assertThat(model.endedBySequenceEnd.get()).as(at).isZero();
            // No call was spent on a chain that fills the context, and none failed.
            assertThat(model.fullPromptCalls.get()).as(at).isZero();
            assertThat(result.usage().failedCalls()).as(at).isZero();
            assertThat(result.usage().modelCalls()).as(at).isEqualTo(model.calls.get());
            assertThat(result.usage().inputTokens()).as(at).isEqualTo(model.promptTokens.get());
        }
    }

    /** {@code search} (its gateway and request parameters set here) over {@code model} served on loopback. */
    private static StepSearchResult solveServed(CausalLanguageModel model, StepSearch.Builder search, String question) {
        try (LocalOpenAiServer server = LocalOpenAiServer.start(model);
             ModelGateway gateway = ModelGateway.builder().model(OpenAiChatModels.builder()
                     .baseUrl(server.baseUrl()).modelName(server.modelName()).build()).build()) {
            return search.gateway(gateway).requestParameters(OpenAiChatModels.continuingFinalMessage()).build()
                    .solve(question);
        }
    }

    @Test
    void servedAChainTheServerRefusesForItsContextEndsAndIsNotAskedAgain() {
        String question = questionLeaving(60);
        long budget = 120;
        int refused = 0;
        for (StepSearch.Strategy strategy : StepSearch.Strategy.values()) {
            Recording model = new Recording(qwen);
            StepSearchResult result = solveServed(model, StepSearch.builder().strategy(strategy).maxTokens(budget)
                    .seed(3), question);
            String at = strategy + " over HTTP";
            assertCutOffAndCounted(result, model, budget, at);
            // A server's context is not known before it refuses, but each refusal ends its chain: no chain that
            // fills the context is asked twice, and a refusal is a failed call, counted as the client error it is.
            assertThat(model.fullPromptCalls.get()).as(at).isLessThanOrEqualTo(result.contextCutOffs());
            assertThat(result.usage().failedCalls()).as(at).isEqualTo(model.fullPromptCalls.get());
            assertThat(result.usage().failuresByKind()).as(at).isEqualTo(model.fullPromptCalls.get() == 0 ? Map.of()
                    : Map.of(CallFailure.CLIENT_ERROR, model.fullPromptCalls.get()));
            assertThat(result.usage().modelCalls()).as(at).isEqualTo(model.calls.get());
            refused += model.fullPromptCalls.get();
        }
        // A chain can fill the context without a reply saying so (a reply that fills it exactly at its cap, text
        // that tokenizes longer than it was generated): the server refused some.
        assertThat(refused).as("calls the server refused for its context").isPositive();
    }

    @Test
    void servedAQuestionThatFillsTheContextCostsOneRefusedCallNotOnePerTry() {
        String question = questionLeaving(0);
        Recording model = new Recording(qwen);
        // Best-first tries a chain up to maxExpansionsPerStep (16) times: before, each try was refused again.
        StepSearchResult result = solveServed(model, StepSearch.builder(), question);
        assertThat(model.fullPromptCalls.get()).isEqualTo(1);
        assertThat(result.usage().modelCalls()).isEqualTo(1).isEqualTo(model.calls.get());
        assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 1));
        assertThat(result.contextCutOffs()).isEqualTo(1);
        assertThat(result.stopReason()).isEqualTo(StopReason.NO_ANSWER);
        assertThat(result.generatedTokens()).isZero();
        assertThat(result.path()).isEmpty();
    }
}
