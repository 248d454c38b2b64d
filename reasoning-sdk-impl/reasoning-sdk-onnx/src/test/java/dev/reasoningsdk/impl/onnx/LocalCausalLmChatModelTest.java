package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.LocalCausalLmChatModel;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The LangChain4j adapter and the batched sampler, on the real embedded model. */
class LocalCausalLmChatModelTest {

    private static final String QUESTION = "Ana starts with 7 shells. She sells 4. How many shells does she have now?";
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void answersTheLastUserMessageInTheTrainedFormatWithTokenUsage() {
        LocalCausalLmChatModel chat = LocalCausalLmChatModel.builder().model(model).temperature(0).build();
        ChatResponse response = chat.chat(ChatRequest.builder()
                .messages(SystemMessage.from("ignored"), UserMessage.from("an earlier question"),
                        UserMessage.from(QUESTION))
                .build());
        assertThat(response.aiMessage().text()).isEqualTo("7-4=3. The answer is 3.");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(TinyReasoner.prompt(QUESTION).length() + 1);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(" 7-4=3. The answer is 3.".length());
        assertThat(response.modelName()).isEqualTo("tiny-reasoner@1");
        assertThat(chat.chat(QUESTION)).isEqualTo("7-4=3. The answer is 3.");
    }

    @Test
    void aPromptOverTheContextIsAnInvalidRequestAClientErrorAsWhenServed() {
        LocalCausalLmChatModel chat = LocalCausalLmChatModel.builder().model(model).temperature(0).build();
        String tooLong = "word ".repeat(model.contextLength());

        assertThatThrownBy(() -> chat.chat(tooLong)).isInstanceOf(InvalidRequestException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        try (ModelGateway gateway = ModelGateway.of(chat)) {
            CallResult result = gateway.call(ChatRequest.builder().messages(UserMessage.from(tooLong)).build());
            assertThat(result.failure()).contains(CallFailure.CLIENT_ERROR);
            assertThat(result.attempts()).as("refused every time: not retried").isEqualTo(1);
        }
    }

    @Test
    void requestParametersOverrideTheDefaultsAndSeedsAdvancePerCall() {
        LocalCausalLmChatModel first = LocalCausalLmChatModel.builder().model(model).seed(5).build();
        LocalCausalLmChatModel second = LocalCausalLmChatModel.builder().model(model).seed(5).build();
        String question = "Sam has 14 apples. He buys 7 more. He gives 5 to Ana. Then he doubles them. He keeps 1/3"
                + " of them. He loses 4. How many apples does Sam have?";
        List<String> a = List.of(first.chat(question), first.chat(question), first.chat(question));
        List<String> b = List.of(second.chat(question), second.chat(question), second.chat(question));
        assertThat(b).isEqualTo(a);
        ChatResponse cut = first.chat(ChatRequest.builder().messages(UserMessage.from(question)).maxOutputTokens(5)
                .build());
        assertThat(cut.aiMessage().text()).hasSizeLessThanOrEqualTo(5);
        assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void detailedResponsesCarryLogProbsAndTheHiddenState() {
        LocalCausalLmChatModel chat = LocalCausalLmChatModel.builder().model(model).temperature(0).build();
        LocalCausalLmChatModel.DetailedChatResponse detailed = chat.chatWithDetails(ChatRequest.builder()
                .messages(UserMessage.from(QUESTION)).build());
        assertThat(detailed.generation().tokenLogProbs()).hasSize(detailed.response().tokenUsage().outputTokenCount());
        assertThat(detailed.promptHiddenState()).containsExactly(model.promptHiddenState(TinyReasoner.prompt(QUESTION)));
    }

    @Test
    void refusesWhatItCannotDo() {
        LocalCausalLmChatModel chat = LocalCausalLmChatModel.of(model);
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION))
                .toolSpecifications(ToolSpecification.builder().name("calc").build()).build()))
                .isInstanceOf(UnsupportedFeatureException.class);
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(SystemMessage.from("only")).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no user message");
        assertThatThrownBy(() -> LocalCausalLmChatModel.builder().topP(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalCausalLmChatModel.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theSamplerDrawsABatchWhoseSampleIMatchesSeedFirstSeedPlusI() {
        LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(1.0).build();
        String question = "Tom has 250 coins. He gives 75 to Mia. He triples them. He keeps 1/5 of them. He wins 33"
                + " more. How many coins does Tom have?";
        SampleBatch batch = sampler.sample(question, 5, 100);
        assertThat(batch.samples()).hasSize(5);
        assertThat(batch.failures()).isEmpty();
        assertThat(batch.usage().samples()).isEqualTo(5);
        assertThat(batch.usage().modelCalls()).isEqualTo(1);
        assertThat(batch.usage().outputTokens()).isPositive();
        assertThat(batch.samples()).allSatisfy(s -> assertThat(s.text()).contains("The answer is"));
        SampleBatch later = sampler.sample(question, 2, 103);
        assertThat(later.samples().get(0).text()).isEqualTo(batch.samples().get(3).text());
        assertThat(sampler.name()).isEqualTo("tiny-reasoner@1");
    }

    @Test
    void theSamplerReportsAnUnrunnablePromptAsFailures() {
        SampleBatch batch = LocalModelSampler.of(model).sample("Zoë has 3 €", 3, 0);
        assertThat(batch.samples()).isEmpty();
        assertThat(batch.failures()).hasSize(3)
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(SampleBatch.FailureKind.PERMANENT));
        assertThat(batch.usage().failedCalls()).isEqualTo(1);
    }

    @Test
    void chainsCutOffAtMaxTokensAreCountedAndDoNotVote() {
        String question = "Tom has 250 coins. He gives 75 to Mia. He triples them. He keeps 1/5 of them. He wins 33"
                + " more. How many coins does Tom have?";
        // Most chains take 65 tokens (characters) and a few 59: at 62 most are cut inside "The answer is 134.".
        int maxTokens = 62;
        int count = 12;
        SampleBatch kept = LocalModelSampler.builder().model(model).temperature(1.0).maxTokens(maxTokens)
                .keepTruncated(true).build().sample(question, count, 0);
        List<Integer> cutOff = kept.samples().stream().filter(s -> s.tokenLogProbs().size() == maxTokens)
                .map(SampleBatch.Sample::index).toList();
        assertThat(cutOff).isNotEmpty().hasSizeLessThan(count);
        // Kept, the cut-off chains vote with the digits written before the cut, and outvote the finished ones.
        AggregationResult keptVote = MajorityVote.of(AnswerExtractors.numeric()).aggregate(question,
                kept.chains("kept"));
        List<ReasoningChain> finished = kept.samples().stream().filter(s -> !cutOff.contains(s.index()))
                .map(s -> ReasoningChain.of(s.text())).toList();
        AggregationResult finishedVote = MajorityVote.of(AnswerExtractors.numeric()).aggregate(question, finished);
        assertThat(keptVote.answer()).isNotEqualTo(finishedVote.answer());

        LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(1.0).maxTokens(maxTokens)
                .build();
        SampleBatch batch = sampler.sample(question, count, 0);

        assertThat(batch.truncatedSamples()).isEqualTo(cutOff.size());
        assertThat(batch.failures()).allSatisfy(f -> {
            assertThat(f.kind()).isEqualTo(SampleBatch.FailureKind.TRUNCATED);
            assertThat(f.message()).contains("MAX_NEW_TOKENS");
        }).extracting(SampleBatch.SampleFailure::index).containsExactlyElementsOf(cutOff);
        assertThat(batch.samples()).extracting(SampleBatch.Sample::text)
                .containsExactlyElementsOf(finished.stream().map(ReasoningChain::text).toList());
        assertThat(batch.usage().samples()).isEqualTo(count - cutOff.size());
        assertThat(batch.usage().outputTokens()).isEqualTo(kept.usage().outputTokens());
        // Each cut-off chain carries the tokens it cost, as kept it counted them: what a method that drew it paid.
        assertThat(batch.failures()).allSatisfy(f -> {
            SampleBatch.Sample asKept = kept.samples().get(f.index());
            assertThat(f.outputTokens()).isEqualTo(maxTokens).isEqualTo(asKept.outputTokens());
            assertThat(f.inputTokens()).isPositive().isEqualTo(asKept.inputTokens());
        });
        assertThat(batch.samples().stream().mapToLong(SampleBatch.Sample::outputTokens).sum()
                + batch.failures().stream().mapToLong(SampleBatch.SampleFailure::outputTokens).sum())
                .isEqualTo(batch.usage().outputTokens());

        AggregationResult vote = MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(sampler, 1.0)
                .samples(count).build().solve(question);
        assertThat(vote.totalChains()).isEqualTo(count - cutOff.size());
        assertThat(vote.answer()).isEqualTo(finishedVote.answer());
    }
}
