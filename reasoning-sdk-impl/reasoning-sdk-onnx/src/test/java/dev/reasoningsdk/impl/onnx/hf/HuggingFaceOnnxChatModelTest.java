package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.reasoningsdk.impl.llm.LocalCausalLmChatModel;
import dev.reasoningsdk.impl.llm.LocalCausalLmStreamingChatModel;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's {@code ChatModel} and {@code StreamingChatModel} over the qwen3-tiny-random export: the whole
 * conversation through the chat template, PyTorch's greedy continuation, usage, seeds, stop sequences, and a stream
 * whose pieces join to the answer.
 */
class HuggingFaceOnnxChatModelTest {

    private static OnnxSessionFactory factory;
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        factory = OnnxSessionFactory.cpu(1);
        model = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).sessionFactory(factory).build();
    }

    @AfterAll
    static void close() {
        model.close();
        factory.close();
    }

    private static LocalCausalLmChatModel greedy() {
        return LocalCausalLmChatModel.builder().model(model).conversation(true).temperature(0).maxTokens(12).build();
    }

    /** The reference's system + user conversation, rendered without enable_thinking. */
    private static Qwen3Fixture.Rendering systemUser() {
        return Qwen3Fixture.renderings().stream()
                .filter(r -> r.conversation().equals("system_user") && r.variables().isEmpty()).findFirst()
                .orElseThrow();
    }

    private static ChatRequest request(Qwen3Fixture.Rendering rendering) {
        return ChatRequest.builder().messages(SystemMessage.from(rendering.messages().get(0).content()),
                UserMessage.from(rendering.messages().get(1).content())).build();
    }

    @Test
    void chatSendsTheWholeConversationThroughTheTemplate() {
        Qwen3Fixture.Rendering rendering = systemUser();
        JsonNode greedy = rendering.node().get("greedy");
        ChatResponse response = greedy().chat(request(rendering));
        assertThat(response.aiMessage().text()).isEqualTo(greedy.get("text").asText().strip());
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(rendering.inputIds().length);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(12);
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        String cutAt = greedy.get("text").asText().strip().substring(3, 6);
        ChatRequest withStop = ChatRequest.builder().messages(request(rendering).messages()).stopSequences(List.of(cutAt))
                .build();
        assertThat(greedy().chat(withStop).aiMessage().text())
                .isEqualTo(response.aiMessage().text().substring(0, response.aiMessage().text().indexOf(cutAt)));
    }

    @Test
    void seedsRepeatPerInstanceAndDifferPerCall() {
        LocalCausalLmChatModel first = LocalCausalLmChatModel.builder().model(model).conversation(true)
                .temperature(1.0).maxTokens(8).seed(3).build();
        LocalCausalLmChatModel again = LocalCausalLmChatModel.builder().model(model).conversation(true)
                .temperature(1.0).maxTokens(8).seed(3).build();
        String a1 = first.chat("Hi there");
        String a2 = first.chat("Hi there");
        assertThat(again.chat("Hi there")).isEqualTo(a1);
        assertThat(again.chat("Hi there")).isEqualTo(a2);
        assertThat(a1).isNotEqualTo(a2);
    }

    @Test
    void streamingReplaysTheAnswerTokenByToken() throws Exception {
        Qwen3Fixture.Rendering rendering = systemUser();
        List<String> pieces = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        LocalCausalLmStreamingChatModel.of(greedy()).chat(request(rendering), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                pieces.add(partialResponse);
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse complete = done.get();
        assertThat(complete.aiMessage().text()).isEqualTo(greedy().chat(request(rendering)).aiMessage().text());
        assertThat(String.join("", pieces)).isEqualTo(complete.aiMessage().text());
        assertThat(pieces).hasSizeGreaterThan(1).allMatch(piece -> !piece.isEmpty());
        assertThat(complete.tokenUsage().outputTokenCount()).isEqualTo(12);
    }

    @Test
    void aStreamReportsBadInputToTheHandlerAndConflictingSettingsAreRefused() throws Exception {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        LocalCausalLmStreamingChatModel.of(greedy()).chat(ChatRequest.builder()
                .messages(UserMessage.from("hi"), ToolExecutionResultMessage.from("1", "calc", "5")).build(), new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partialResponse) {
                        error.complete(new AssertionError("a piece: " + partialResponse));
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse completeResponse) {
                        error.complete(new AssertionError("completed"));
                    }

                    @Override
                    public void onError(Throwable failure) {
                        error.complete(failure);
                    }
                });
        assertThat(error.get()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalCausalLmChatModel.builder().model(model).conversation(true)
                .promptFormat(s -> s).build()).isInstanceOf(IllegalStateException.class);
    }
}
