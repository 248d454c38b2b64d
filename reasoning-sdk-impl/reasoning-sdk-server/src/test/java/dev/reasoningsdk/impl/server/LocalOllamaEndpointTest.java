package dev.reasoningsdk.impl.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.LlmCallException;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ollama's {@code /api/chat} over the real tiny reasoner, spoken to over real HTTP by the SDK's Ollama client. */
class LocalOllamaEndpointTest {

    private static final String QUESTION = LocalOpenAiServerTest.QUESTION;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HuggingFaceOnnxModel model;
    private static LocalOpenAiServer server;

    @BeforeAll
    static void start() {
        model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
        server = LocalOpenAiServer.builder().model(model).concurrency(2).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static ChatResponse ollama(OllamaChatRequestParameters parameters) {
        ChatModel chat = OllamaChatModels.of(server.ollamaBaseUrl(), server.modelName());
        return chat.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).parameters(parameters).build());
    }

    @Test
    void aSeededReplyIsTheOpenAiEndpointsReplyWithItsTokenCounts() {
        ChatResponse viaOpenAi = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName(server.modelName()).maxRetries(0).seed(42).temperature(0.7).build()
                .chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build());
        ChatResponse viaOllama = ollama(OllamaChatRequestParameters.builder().seed(42).temperature(0.7).build());
        assertThat(viaOllama.aiMessage().text()).isEqualTo(viaOpenAi.aiMessage().text()).isNotBlank();
        assertThat(viaOllama.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(viaOllama.tokenUsage().inputTokenCount()).isEqualTo(viaOpenAi.tokenUsage().inputTokenCount())
                .isEqualTo(model.promptTokenCount(TinyReasoner.prompt(QUESTION)).getAsInt());
        assertThat(viaOllama.tokenUsage().outputTokenCount()).isEqualTo(viaOpenAi.tokenUsage().outputTokenCount())
                .isPositive();
        ChatResponse greedy = ollama(OllamaChatRequestParameters.builder().temperature(0.0).build());
        assertThat(greedy.aiMessage().text()).as("temperature 0 is greedy whatever the seed")
                .isEqualTo(ollama(OllamaChatRequestParameters.builder().seed(7).temperature(0.0).build())
                        .aiMessage().text());
    }

    @Test
    void numPredictCutsTheReplyWhichTheSamplerCountsAsTruncated() {
        ChatResponse cut = ollama(OllamaChatRequestParameters.builder().seed(1).temperature(0.7).maxOutputTokens(3)
                .build());
        assertThat(cut.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(cut.tokenUsage().outputTokenCount()).isEqualTo(3);
        ChatModel capped = OllamaChatModels.builder().baseUrl(server.ollamaBaseUrl()).modelName(server.modelName())
                .maxTokens(3).build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(capped).name(server.modelName())
                .requestParameters(OllamaChatModels.seeded()).temperature(0.7).build()) {
            SampleBatch batch = sampler.sample(QUESTION, 2, 5);
            assertThat(batch.truncatedSamples()).isEqualTo(2);
        }
    }

    @Test
    void anUnknownModelIsA404InOllamasShapeThatTheSdkCountsAsAClientError() throws Exception {
        ChatModel wrong = OllamaChatModels.of(server.ollamaBaseUrl(), "llama3");
        Throwable thrown = catchThrowable(() -> wrong.chat(QUESTION));
        assertThat(thrown).isNotNull();
        LlmCallException classified = LlmCallException.classify(thrown);
        assertThat(classified.failure()).isEqualTo(CallFailure.CLIENT_ERROR);
        assertThat(classified.statusCode()).hasValue(404);
        HttpResponse<String> raw = post("{\"model\":\"llama3\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(raw.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(raw.body()).get("error").asText()).contains("llama3", "tiny-reasoner@1");
    }

    @Test
    void badRequestsAre400sWithOllamasErrorBody() throws Exception {
        assertOllamaError(post("{\"model\":\"tiny-reasoner@1\",\"stream\":false}"), 400, "messages is required");
        assertOllamaError(post("{\"model\":\"tiny-reasoner@1\",\"stream\":false,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"options\":{\"num_predict\":0}}"), 400, "num_predict");
        assertOllamaError(post("{\"model\":\"tiny-reasoner@1\",\"stream\":false,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"options\":{\"repeat_penalty\":1.3}}"), 400, "repeat_penalty");
        assertOllamaError(post("{\"model\":\"tiny-reasoner@1\",\"stream\":false,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}],\"think\":true}"), 400, "think");
        assertOllamaError(post("not json"), 400, "not valid JSON");
        HttpResponse<String> missingModel = post("{\"stream\":false,\"messages\":[]}");
        assertOllamaError(missingModel, 400, "model is required");
        ChatModel empty = OllamaChatModels.of(server.ollamaBaseUrl(), server.modelName());
        Throwable thrown = catchThrowable(() -> empty.chat(ChatRequest.builder().messages(UserMessage.from(QUESTION))
                .parameters(OllamaChatRequestParameters.builder().repeatPenalty(1.5).build()).build()));
        assertThat(thrown).isNotNull();
        assertThat(LlmCallException.classify(thrown).failure()).isEqualTo(CallFailure.CLIENT_ERROR);
        assertThat(LlmCallException.classify(thrown).statusCode()).hasValue(400);
    }

    @Test
    void messagesThatFillTheContextAreRefusedInOllamasShapeAsAClientError() throws Exception {
        // Ollama itself would cut such a prompt to its num_ctx; this server refuses it, as its OpenAI endpoint does.
        String tooLong = QUESTION + " " + "Then he buys 7 more. ".repeat(9);
        assertOllamaError(post("{\"model\":\"tiny-reasoner@1\",\"stream\":false,\"messages\":[{\"role\":\"user\","
                + "\"content\":" + JSON.writeValueAsString(tooLong) + "}]}"), 400,
                "maximum context length is " + model.contextLength() + " tokens");
        Throwable thrown = catchThrowable(() -> OllamaChatModels.of(server.ollamaBaseUrl(), server.modelName())
                .chat(tooLong));
        assertThat(LlmCallException.classify(thrown).failure()).isEqualTo(CallFailure.CLIENT_ERROR);
    }

    @Test
    void aStreamIsOllamasJsonLinesSpellingTheSameReply() throws Exception {
        String body = "\"model\":\"tiny-reasoner@1\",\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.writeValueAsString(QUESTION) + "}],\"options\":{\"seed\":9,\"temperature\":0.7}}";
        JsonNode whole = JSON.readTree(post("{\"stream\":false," + body).body());
        HttpResponse<String> streamed = post("{" + body);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type")).contains("application/x-ndjson");
        StringBuilder spelled = new StringBuilder();
        JsonNode last = null;
        for (String line : streamed.body().split("\n")) {
            last = JSON.readTree(line);
            spelled.append(last.path("message").path("content").asText());
        }
        assertThat(spelled.toString()).isEqualTo(whole.path("message").path("content").asText()).isNotEmpty();
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("eval_count").asInt()).isEqualTo(whole.get("eval_count").asInt());
    }

    @Test
    void tagsAndVersionDescribeTheServedModel() throws Exception {
        JsonNode tags = JSON.readTree(get("/api/tags"));
        // Ollama lists a model pulled without a tag under its :latest tag, in both fields. Before: the bare name.
        assertThat(StreamSupport.stream(tags.get("models").spliterator(), false).map(m -> m.get("name").asText()))
                .containsExactly("tiny-reasoner@1:latest");
        assertThat(tags.at("/models/0/model").asText()).isEqualTo("tiny-reasoner@1:latest");
        assertThat(JSON.readTree(get("/api/version")).get("version").asText()).isNotBlank();
    }

    @Test
    void theLatestTagNamesTheServedModelAsOllamaResolvesIt() throws Exception {
        // What /api/tags lists must be a name /api/chat takes: a client that picks the listed name (or writes
        // name:latest, as Ollama users do) got a 404 model_not_found before.
        String listed = JSON.readTree(get("/api/tags")).at("/models/0/name").asText();
        String body = ",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.writeValueAsString(QUESTION) + "}],\"options\":{\"seed\":9,\"temperature\":0.7}}";
        HttpResponse<String> bare = post("{\"model\":\"tiny-reasoner@1\"" + body);
        HttpResponse<String> tagged = post("{\"model\":" + JSON.writeValueAsString(listed) + body);

        assertThat(tagged.statusCode()).as(tagged.body()).isEqualTo(200);
        assertThat(JSON.readTree(tagged.body()).at("/message/content").asText()).isNotEmpty()
                .isEqualTo(JSON.readTree(bare.body()).at("/message/content").asText());
        // Ollama's reply names the model as the request gave it.
        assertThat(JSON.readTree(tagged.body()).get("model").asText()).isEqualTo("tiny-reasoner@1:latest");
        assertThat(JSON.readTree(bare.body()).get("model").asText()).isEqualTo("tiny-reasoner@1");
        // Through LangChain4j's OllamaChatModel, as an Ollama user configures it.
        ChatModel viaTag = OllamaChatModels.of(server.ollamaBaseUrl(), listed);
        assertThat(viaTag.chat(QUESTION)).isNotBlank();
        // Another tag is another model, as in Ollama.
        assertOllamaError(post("{\"model\":\"tiny-reasoner@1:0.5b\"" + body), 404, "tiny-reasoner@1:latest");
    }

    private static void assertOllamaError(HttpResponse<String> response, int status, String fragment)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.isTextual()).as("Ollama's error is a string: " + response.body()).isTrue();
        assertThat(error.asText()).contains(fragment);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.ollamaBaseUrl() + "/api/chat"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.ollamaBaseUrl() + path))
                .timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
