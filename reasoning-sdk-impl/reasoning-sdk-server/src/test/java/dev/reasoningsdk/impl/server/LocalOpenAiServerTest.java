package dev.reasoningsdk.impl.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.LogProb;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.internal.OpenAiClient;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionChoice;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionRequest;
import dev.langchain4j.model.openai.internal.chat.ChatCompletionResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.llm.LlmCallException;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.net.BindException;
import java.net.ServerSocket;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server over the real tiny reasoner, spoken to over real HTTP by LangChain4j's own OpenAI client. */
class LocalOpenAiServerTest {

    /** Six steps: hard enough for the tiny reasoner that samples differ (the Ollama endpoint's tests ask it too). */
    static final String QUESTION = "Sam has 14 apples. He buys 7 more. He gives 5 to Ana. Then he doubles "
            + "them. He keeps 1/3 of them. He loses 4. How many apples does Sam have?";
    /** The start of a raw request body naming the served model, as every request must. */
    private static final String OPEN = "{\"model\":\"tiny-reasoner@1\",";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HuggingFaceOnnxModel model;
    private static LocalOpenAiServer server;

    @BeforeAll
    static void start() {
        model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
        server = LocalOpenAiServer.builder().model(model).concurrency(2).maxN(8).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static OpenAiChatModel.OpenAiChatModelBuilder chat() {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("not-needed")
                .modelName(server.modelName()).maxRetries(0).timeout(Duration.ofSeconds(60));
    }

    /** What the model gives in-process for the same request: the reference every reply is held to. */
    private static Generation inProcess(double temperature, long seed) {
        return model.generate(TinyReasoner.prompt(QUESTION), 1,
                new GenerationOptions(temperature, 1, 0, model.contextLength(), seed)).get(0);
    }

    @Test
    void startsOnAnEphemeralLoopbackPortAndListsItsModel() throws Exception {
        assertThat(server.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+/v1").endsWith(server.port() + "/v1");
        assertThat(server.modelName()).isEqualTo("tiny-reasoner@1");
        OpenAiClient client = OpenAiClient.builder().baseUrl(server.baseUrl()).apiKey("x").build();
        assertThat(client.listModels().execute().getData()).singleElement()
                .satisfies(m -> assertThat(m.id()).isEqualTo("tiny-reasoner@1"));
    }

    @Test
    void aSeededReplyIsTheModelsOwnGenerationAndDifferentSeedsDiffer() {
        String first = chat().seed(42).build().chat(QUESTION);
        assertThat(chat().seed(42).build().chat(QUESTION)).isEqualTo(first);
        assertThat(first).isEqualTo(inProcess(1, 42).text());
        List<String> others = new ArrayList<>();
        for (int seed = 43; seed < 47; seed++) {
            others.add(chat().seed(seed).build().chat(QUESTION));
        }
        assertThat(others).as("four more seeds at OpenAI's default temperature 1").anySatisfy(
                other -> assertThat(other).isNotEqualTo(first));
    }

    @Test
    void temperatureZeroIsGreedy() {
        ChatResponse response = chat().temperature(0.0).build().chat(ChatRequest.builder()
                .messages(UserMessage.from(QUESTION)).build());
        Generation greedy = model.generate(TinyReasoner.prompt(QUESTION), 1,
                GenerationOptions.greedy(model.contextLength())).get(0);
        assertThat(response.aiMessage().text()).isEqualTo(greedy.text());
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void nChoicesAreTheInProcessSamplersBatchForTheSameSeed() {
        OpenAiClient client = OpenAiClient.builder().baseUrl(server.baseUrl()).apiKey("x").build();
        ChatCompletionResponse response = client.chatCompletion(ChatCompletionRequest.builder()
                .model(server.modelName()).messages(dev.langchain4j.model.openai.internal.chat.UserMessage.from(QUESTION))
                .n(5).seed(7).temperature(0.8).build()).execute();
        SampleBatch batch = LocalModelSampler.of(model).sample(QUESTION, 5, 7);
        assertThat(response.choices()).hasSize(5);
        assertThat(batch.samples()).hasSize(5);
        for (int i = 0; i < 5; i++) {
            ChatCompletionChoice choice = response.choices().get(i);
            assertThat(choice.index()).isEqualTo(i);
            // The sampler strips white space around a chain; the server returns the model's text exactly.
            assertThat(choice.message().content().strip()).isEqualTo(batch.samples().get(i).text());
        }
        assertThat(response.choices().stream().map(c -> c.message().content()).distinct().count())
                .as("five samples at T=0.8 of a 6-step problem").isGreaterThan(1);
        long generated = model.generate(TinyReasoner.prompt(QUESTION), 5, GenerationOptions.sampling(0.8, 320, 7))
                .stream().mapToLong(g -> g.tokenIds().length).sum();
        assertThat(response.usage().completionTokens()).isEqualTo((int) generated);
        assertThat(response.usage().promptTokens()).isEqualTo(TinyReasoner.prompt(QUESTION).length() + 1);
    }

    @Test
    void usageCountsTheModelsTokens() {
        ChatResponse response = chat().seed(3).build().chat(ChatRequest.builder()
                .messages(UserMessage.from(QUESTION)).build());
        Generation generation = inProcess(1, 3);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(generation.promptTokens());
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(generation.tokenIds().length);
        assertThat(response.tokenUsage().totalTokenCount())
                .isEqualTo(generation.promptTokens() + generation.tokenIds().length);
    }

    @Test
    void logprobsAreTheGenerationsAndTopLogprobsTheLikeliestTokens() {
        ChatResponse response = chat().seed(11).logprobs(true).topLogprobs(3).build().chat(ChatRequest.builder()
                .messages(UserMessage.from(QUESTION)).build());
        Generation generation = model.generate(TinyReasoner.prompt(QUESTION), 1,
                new GenerationOptions(1, 1, 0, model.contextLength(), 11, 3)).get(0);
        List<LogProb> logProbs = ((OpenAiChatResponseMetadata) response.metadata()).logProbs();
        float[] expected = generation.tokenLogProbs();
        assertThat(logProbs).hasSize(expected.length);
        StringBuilder spelled = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            LogProb token = logProbs.get(i);
            spelled.append(token.token());
            assertThat(token.logprob()).isEqualTo((double) expected[i]);
            assertThat(token.topLogprobs()).hasSize(3);
            assertThat(token.topLogprobs().get(0).logprob()).isGreaterThanOrEqualTo(token.logprob());
            assertThat(token.topLogprobs()).extracting(LogProb::token).containsExactlyElementsOf(
                    generation.tokens().get(i).alternatives().stream().map(a -> a.token()).toList());
        }
        assertThat(spelled.toString()).isEqualTo(response.aiMessage().text());
    }

    @Test
    void streamingSendsTheSameReplyTokenByTokenWithUsage() throws Exception {
        ChatResponse whole = chat().seed(5).build().chat(ChatRequest.builder()
                .messages(UserMessage.from(QUESTION)).build());
        StreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("x")
                .modelName(server.modelName()).seed(5).timeout(Duration.ofSeconds(60)).build();
        List<String> pieces = new ArrayList<>();
        ChatResponse streamed = stream(streaming, pieces).get(60, TimeUnit.SECONDS);
        assertThat(streamed.aiMessage().text()).isEqualTo(whole.aiMessage().text());
        assertThat(String.join("", pieces)).isEqualTo(whole.aiMessage().text());
        assertThat(pieces).hasSize(inProcess(1, 5).tokenIds().length);
        assertThat(streamed.tokenUsage().inputTokenCount()).isEqualTo(whole.tokenUsage().inputTokenCount());
        assertThat(streamed.tokenUsage().outputTokenCount()).isEqualTo(whole.tokenUsage().outputTokenCount());
        assertThat(streamed.finishReason()).isEqualTo(whole.finishReason());
    }

    /** Streams the answer to {@link #QUESTION}, adding each partial response to {@code pieces}. */
    private static CompletableFuture<ChatResponse> stream(StreamingChatModel streaming, List<String> pieces) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(QUESTION, new StreamingChatResponseHandler() {
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
        return done;
    }

    @Test
    void aConversationIsRenderedAsRTuningAsksInProcess() {
        String answer = inProcess(0, 0).text();
        List<ChatTurn> turns = List.of(ChatTurn.user(QUESTION), ChatTurn.assistant(answer),
                ChatTurn.user(TokenProbabilityConfidence.SURE_QUESTION));
        String rendered = model.formatConversation(turns);
        assertThat(rendered).isEqualTo(TinyReasoner.prompt(QUESTION) + answer + "\n"
                + TokenProbabilityConfidence.SURE_QUESTION);
        ChatResponse response = chat().temperature(0.0).maxTokens(6).logprobs(true).topLogprobs(5).build()
                .chat(ChatRequest.builder().messages(UserMessage.from(QUESTION), AiMessage.from(answer),
                        UserMessage.from(TokenProbabilityConfidence.SURE_QUESTION)).build());
        Generation expected = model.generate(rendered, 1, GenerationOptions.greedy(6)).get(0);
        assertThat(response.aiMessage().text()).isEqualTo(expected.text());
        assertThat(response.finishReason()).isEqualTo(
                expected.finishReason() == Generation.FinishReason.END_OF_SEQUENCE ? FinishReason.STOP
                        : FinishReason.LENGTH);
        assertThat(((OpenAiChatResponseMetadata) response.metadata()).logProbs().get(0).logprob())
                .isEqualTo((double) model.continuationLogProbs(rendered, expected.text().substring(0, 1))[0],
                        org.assertj.core.api.Assertions.within(1e-4));
    }

    @Test
    void vllmsContinueFinalMessageContinuesAPartialChainFromItsLastCharacter() throws Exception {
        String greedy = inProcess(0, 0).text();
        // Partial chains that end a sentence before its space, after it (white space a template trim would drop)
        // and mid-word: each continued exactly as the model continues the same text in process.
        assertThat(greedy).contains(". ");
        for (int cut : new int[] {greedy.indexOf(". ") + 1, greedy.indexOf(". ") + 2, 9}) {
            String partial = greedy.substring(0, cut);
            ChatResponse response = chat().seed(7).maxTokens(12).customParameters(java.util.Map.of(
                    "continue_final_message", true, "add_generation_prompt", false)).build()
                    .chat(ChatRequest.builder().messages(UserMessage.from(QUESTION), AiMessage.from(partial))
                            .build());
            Generation expected = model.generate(TinyReasoner.prompt(QUESTION) + partial, 1,
                    new GenerationOptions(1, 1, 0, 12, 7)).get(0);
            assertThat(response.aiMessage().text()).as(partial).isEqualTo(expected.text());
            assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(expected.tokenIds().length);
        }
        String user = "{\"role\":\"user\",\"content\":\"q\"}";
        String assistant = "{\"role\":\"assistant\",\"content\":\" 1+2=3.\\n\"}";
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[" + user + "," + assistant + "],"
                + "\"continue_final_message\":true}", 400, "add_generation_prompt");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[" + user + "],\"continue_final_message\":true,"
                + "\"add_generation_prompt\":false}", 400, "continue_final_message");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[" + user + "],\"add_generation_prompt\":false}",
                400, "add_generation_prompt");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[" + user + "," + assistant + "],"
                + "\"continue_final_message\":\"yes\",\"add_generation_prompt\":false}", 400,
                "continue_final_message");
        HttpResponse<String> fine = send(server.baseUrl(), "POST", "/chat/completions", OPEN + "\"messages\":[" + user
                + "," + assistant + "],\"continue_final_message\":true,\"add_generation_prompt\":false,"
                + "\"max_tokens\":2}");
        assertThat(fine.statusCode()).as(fine.body()).isEqualTo(200);
    }

    @Test
    void stopSequencesCutTheTextAndItsLogprobs() {
        Generation greedy = model.generate(TinyReasoner.prompt(QUESTION), 1,
                GenerationOptions.greedy(model.contextLength())).get(0);
        ChatResponse response = chat().temperature(0.0).stop(List.of("The answer")).logprobs(true).build()
                .chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build());
        String expected = greedy.text().substring(0, greedy.text().indexOf("The answer"));
        assertThat(response.aiMessage().text()).isEqualTo(expected);
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(((OpenAiChatResponseMetadata) response.metadata()).logProbs()).hasSize(expected.length());
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(greedy.tokenIds().length);
    }

    @Test
    void concurrentClientsEachGetTheirOwnSeedsReply() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int seed = 100; seed < 106; seed++) {
                int s = seed;
                replies.add(clients.submit(() -> chat().seed(s).build().chat(QUESTION)));
            }
            for (int i = 0; i < replies.size(); i++) {
                assertThat(replies.get(i).get(120, TimeUnit.SECONDS)).isEqualTo(inProcess(1, 100 + i).text());
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void badRequestsThroughTheClientAre400sNamingTheField() {
        assertBadRequest(() -> chat().temperature(2.5).build().chat(QUESTION), "temperature");
        assertBadRequest(() -> chat().logprobs(true).topLogprobs(21).build().chat(QUESTION), "top_logprobs");
        assertBadRequest(() -> chat().maxTokens(321).build().chat(QUESTION), "max_tokens");
        assertBadRequest(() -> chat().stop(List.of("a", "b", "c", "d", "e")).build().chat(QUESTION), "stop");
        assertBadRequest(() -> chat().build().chat("Zoë has 3 apples. How many?"), "messages");
        assertBadRequest(() -> chat().build().chat(ChatRequest.builder().messages(UserMessage.from(QUESTION))
                .toolSpecifications(ToolSpecification.builder().name("add").build()).build()), "tools");
        OpenAiClient client = OpenAiClient.builder().baseUrl(server.baseUrl()).apiKey("x").build();
        assertBadRequest(() -> client.chatCompletion(ChatCompletionRequest.builder().model(server.modelName())
                .messages(dev.langchain4j.model.openai.internal.chat.UserMessage.from(QUESTION)).n(9).build())
                .execute(), "n");
    }

    @Test
    void messagesThatFillTheContextAreOpenAisContextLengthExceeded() throws Exception {
        // The tiny reasoner reads a character a token, after its begin token: this prompt leaves no room to generate.
        String tooLong = QUESTION + " " + "Then he buys 7 more. ".repeat(9);
        int promptTokens = model.promptTokenCount(model.formatPrompt(tooLong)).orElseThrow();
        assertThat(promptTokens).isGreaterThanOrEqualTo(model.contextLength());
        assertThatThrownBy(() -> chat().build().chat(tooLong)).satisfies(e -> {
            HttpException http = httpCause(e);
            assertThat(http.statusCode()).isEqualTo(400);
            JsonNode error = JSON.readTree(http.getMessage()).path("error");
            // Before: a 400 without a code, which a client could not tell from any other bad message.
            assertThat(error.path("code").asText()).isEqualTo("context_length_exceeded");
            assertThat(error.path("param").asText()).isEqualTo("messages");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.path("message").asText())
                    .startsWith("This model's maximum context length is " + model.contextLength() + " tokens.")
                    .contains("resulted in " + promptTokens + " tokens");
            assertThat(LlmCallException.classify(e).failure()).isEqualTo(CallFailure.CLIENT_ERROR);
        });
        // A prompt one token shorter than the context still gets its one token.
        String fits = tooLong.substring(0, tooLong.length() - (promptTokens - model.contextLength() + 1));
        assertThat(chat().maxTokens(1).build().chat(fits)).isNotNull();
        // A character outside the vocabulary is another bad message: no context code.
        assertThatThrownBy(() -> chat().build().chat("Zoë has 3 apples. How many?"))
                .satisfies(e -> assertThat(JSON.readTree(httpCause(e).getMessage()).path("error").path("code")
                        .isNull()).isTrue());
    }

    @Test
    void anUnknownModelIsOpenAisModelNotFoundAndAMissingOneA400() throws Exception {
        // Before: any name was answered by the one model, so a misspelt name passed here and failed in production.
        assertThatThrownBy(() -> chat().modelName("tiny-reasoner").build().chat(QUESTION)).satisfies(e -> {
            HttpException http = httpCause(e);
            assertThat(http.statusCode()).isEqualTo(404);
            JsonNode error = JSON.readTree(http.getMessage()).path("error");
            assertThat(error.path("message").asText()).startsWith("The model `tiny-reasoner` does not exist.")
                    .contains("`tiny-reasoner@1`");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.path("param").asText()).isEqualTo("model");
            assertThat(error.path("code").asText()).isEqualTo("model_not_found");
            // The SDK's classification: a client error naming the model, never retried.
            LlmCallException classified = LlmCallException.classify(e);
            assertThat(classified.statusCode()).hasValue(404);
            assertThat(classified.isRetryable()).isFalse();
            assertThat(classified.failure()).isEqualTo(CallFailure.CLIENT_ERROR);
            assertThat(classified.getMessage()).contains("The model `tiny-reasoner` does not exist.");
        });
        // The streaming client meets the same 404 before any token.
        List<String> pieces = new ArrayList<>();
        CompletableFuture<ChatResponse> streamed = stream(OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl())
                .apiKey("x").modelName("gpt-4o").timeout(Duration.ofSeconds(60)).build(), pieces);
        assertThatThrownBy(() -> streamed.get(60, TimeUnit.SECONDS))
                .satisfies(e -> assertThat(httpCause(e).statusCode()).isEqualTo(404));
        assertThat(pieces).isEmpty();
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_tokens\":1}";
        assertRaw("POST", "/chat/completions", "{" + messages, 400, "model");
        assertRaw("POST", "/chat/completions", "{\"model\":null," + messages, 400, "model");
        assertRaw("POST", "/chat/completions", "{\"model\":7," + messages, 400, "model");
        // Exact, as vLLM matches it: another case is another model.
        assertRaw("POST", "/chat/completions", "{\"model\":\"TINY-REASONER@1\"," + messages, 404, "model");
        assertThat(send(server.baseUrl(), "POST", "/chat/completions", OPEN + messages).statusCode()).isEqualTo(200);
        // /v1/models still lists the one name served, which is the one a request must give.
        HttpResponse<String> listed = send(server.baseUrl(), "GET", "/models", null);
        assertThat(JSON.readTree(listed.body()).at("/data/0/id").asText()).isEqualTo(server.modelName());
        assertThat(send(server.baseUrl(), "GET", "/models/" + server.modelName(), null).statusCode()).isEqualTo(200);
    }

    private static void assertBadRequest(Runnable call, String param) {
        assertThatThrownBy(call::run).satisfies(e -> {
            HttpException http = httpCause(e);
            assertThat(http.statusCode()).isEqualTo(400);
            assertThat(http.getMessage()).contains("\"param\":\"" + param + "\"")
                    .contains("\"type\":\"invalid_request_error\"");
        });
    }

    private static HttpException httpCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                return http;
            }
        }
        throw new AssertionError("no HttpException in " + e, e);
    }

    @Test
    void malformedBodiesWrongPathsAndOversizeBodiesGetOpenAisErrors() throws Exception {
        assertRaw("POST", "/chat/completions", "{not json", 400, null);
        assertRaw("POST", "/chat/completions", "[1]", 400, null);
        assertRaw("POST", "/chat/completions", "", 400, null);
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],"
                + "\"n\":\"2\"}", 400, "n");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"n\":1,"
                + "\"n\":2}", 400, null);
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[]}", 400, "messages");
        // Two objects in one body (a client's framing bug), or a stray tail, used to be answered from the first.
        String valid = OPEN + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_tokens\":1}";
        assertRaw("POST", "/chat/completions", valid + OPEN + "\"messages\":[]}", 400, null);
        assertRaw("POST", "/chat/completions", valid + " trailing", 400, null);
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"tool\",\"content\":\"q\"}]}", 400,
                "messages[0].role");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
                + "\"image_url\"}]}]}", 400, "messages[0].content[0]");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"assistant\",\"content\":\"a\"}]}", 400,
                "messages");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],"
                + "\"stream_options\":{\"include_usage\":true}}", 400, "stream_options");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],"
                + "\"top_p\":0}", 400, "top_p");
        assertRaw("POST", "/chat/completions", OPEN + "\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],"
                + "\"seed\":1.5}", 400, "seed");
        assertRaw("POST", "/nothing/here", "{}", 404, null);
        assertRaw("GET", "/models/gpt-4o", null, 404, "model");
        assertRaw("GET", "/chat/completions", null, 405, null);
        try (LocalOpenAiServer small = LocalOpenAiServer.builder().model(model).maxRequestBytes(100).start()) {
            HttpResponse<String> tooLarge = send(small.baseUrl(), "POST", "/chat/completions",
                    OPEN + "\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(200) + "\"}]}");
            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(tooLarge.body()).contains("request_too_large");
        }
    }

    private static void assertRaw(String method, String path, String body, int status, String param)
            throws Exception {
        HttpResponse<String> response = send(server.baseUrl(), method, path, body);
        assertThat(response.statusCode()).as("%s %s %s", method, path, body).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).contains("\"error\":{\"message\":")
                .contains(param == null ? "\"param\":null" : "\"param\":\"" + param + "\"");
    }

    private static HttpResponse<String> send(String baseUrl, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPortInUseFailsWithTheBindException() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> LocalOpenAiServer.builder().model(model).port(taken.getLocalPort())
                    .start()).isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(BindException.class)
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
        assertThatThrownBy(() -> LocalOpenAiServer.builder().port(70_000)).hasMessageContaining("port");
        assertThatThrownBy(() -> LocalOpenAiServer.builder().start()).isInstanceOf(IllegalStateException.class);
    }
}
