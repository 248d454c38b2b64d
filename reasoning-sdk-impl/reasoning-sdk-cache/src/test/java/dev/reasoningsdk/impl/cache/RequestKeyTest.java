package dev.reasoningsdk.impl.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key covers the model, every message part and every request parameter, provider subclasses included. */
class RequestKeyTest {

    @TempDir
    Path dir;

    private static final List<ChatMessage> MESSAGES = List.of(SystemMessage.from("Be brief."),
            UserMessage.from("What is 2 + 3?"));

    private static OpenAiChatRequestParameters.Builder openAiBase() {
        return OpenAiChatRequestParameters.builder().modelName("gpt-x").temperature(0.7).topP(0.9).topK(40)
                .frequencyPenalty(0.1).presencePenalty(0.2).maxOutputTokens(100).stopSequences(List.of("END"))
                .toolSpecifications(List.of(ToolSpecification.builder().name("calc").description("adds").build()))
                .toolChoice(ToolChoice.AUTO).responseFormat(ResponseFormat.TEXT)
                .maxCompletionTokens(90).logitBias(Map.of("42", 1)).parallelToolCalls(false).seed(7).user("u1")
                .store(false).metadata(Map.of("run", "a")).serviceTier("default").reasoningEffort("low")
                .logprobs(false).topLogprobs(2).customParameters(Map.of("x", 1));
    }

    /** One change per field of OpenAI's parameters, by field name; each must give a new key. */
    private static Map<String, UnaryOperator<OpenAiChatRequestParameters.Builder>> openAiChanges() {
        Map<String, UnaryOperator<OpenAiChatRequestParameters.Builder>> changes = new LinkedHashMap<>();
        changes.put("modelName", b -> b.modelName("gpt-y"));
        changes.put("temperature", b -> b.temperature(0.71));
        changes.put("topP", b -> b.topP(0.91));
        changes.put("topK", b -> b.topK(41));
        changes.put("frequencyPenalty", b -> b.frequencyPenalty(0.11));
        changes.put("presencePenalty", b -> b.presencePenalty(0.21));
        changes.put("maxOutputTokens", b -> b.maxOutputTokens(101));
        changes.put("stopSequences", b -> b.stopSequences(List.of("END", "STOP")));
        changes.put("toolSpecifications", b -> b.toolSpecifications(List.of(ToolSpecification.builder()
                .name("calc").description("adds").parameters(JsonObjectSchema.builder()
                        .addIntegerProperty("a").build()).build())));
        changes.put("toolChoice", b -> b.toolChoice(ToolChoice.REQUIRED));
        changes.put("responseFormat", b -> b.responseFormat(ResponseFormat.JSON));
        changes.put("maxCompletionTokens", b -> b.maxCompletionTokens(91));
        changes.put("logitBias", b -> b.logitBias(Map.of("42", 2)));
        changes.put("parallelToolCalls", b -> b.parallelToolCalls(true));
        changes.put("seed", b -> b.seed(8));
        changes.put("user", b -> b.user("u2"));
        changes.put("store", b -> b.store(true));
        changes.put("metadata", b -> b.metadata(Map.of("run", "b")));
        changes.put("serviceTier", b -> b.serviceTier("flex"));
        changes.put("reasoningEffort", b -> b.reasoningEffort("high"));
        changes.put("logprobs", b -> b.logprobs(true));
        changes.put("topLogprobs", b -> b.topLogprobs(3));
        changes.put("customParameters", b -> b.customParameters(Map.of("x", 2)));
        return changes;
    }

    private static Map<String, UnaryOperator<OllamaChatRequestParameters.Builder>> ollamaChanges() {
        Map<String, UnaryOperator<OllamaChatRequestParameters.Builder>> changes = new LinkedHashMap<>();
        changes.put("mirostat", b -> b.mirostat(2));
        changes.put("mirostatEta", b -> b.mirostatEta(0.2));
        changes.put("mirostatTau", b -> b.mirostatTau(4.0));
        changes.put("numCtx", b -> b.numCtx(4096));
        changes.put("numThread", b -> b.numThread(3));
        changes.put("repeatLastN", b -> b.repeatLastN(32));
        changes.put("repeatPenalty", b -> b.repeatPenalty(1.2));
        changes.put("seed", b -> b.seed(11));
        changes.put("minP", b -> b.minP(0.05));
        changes.put("keepAlive", b -> b.keepAlive(60));
        changes.put("think", b -> b.think(true));
        changes.put("numKeep", b -> b.numKeep(5));
        changes.put("typicalP", b -> b.typicalP(0.9));
        changes.put("numBatch", b -> b.numBatch(64));
        changes.put("numGPU", b -> b.numGPU(1));
        changes.put("mainGPU", b -> b.mainGPU(0));
        changes.put("useMmap", b -> b.useMmap(false));
        return changes;
    }

    @Test
    void theChangesCoverEveryFieldOfTheProviderParameters() {
        assertThat(openAiChanges().keySet()).containsExactlyInAnyOrderElementsOf(
                instanceFields(OpenAiChatRequestParameters.class));
        Set<String> ollamaOwn = instanceFields(OllamaChatRequestParameters.class);
        ollamaOwn.removeAll(instanceFields(ChatRequestParameters.builder().build().getClass()));
        assertThat(ollamaChanges().keySet()).containsExactlyInAnyOrderElementsOf(ollamaOwn);
    }

    @Test
    void changingAnyOneParameterMissesAndTheSameRequestHits() {
        Path file = dir.resolve("cache.db");
        CountingModel model = CountingModel.echo();
        try (CachingChatModel cached = CachingChatModel.of(model, file)) {
            cached.chat(ChatRequest.builder().messages(MESSAGES).parameters(openAiBase().build()).build());
            cached.chat(ChatRequest.builder().messages(MESSAGES)
                    .parameters(OllamaChatRequestParameters.builder().seed(10).build()).build());
            assertThat(model.calls()).isEqualTo(2);
            for (Map.Entry<String, UnaryOperator<OpenAiChatRequestParameters.Builder>> change
                    : openAiChanges().entrySet()) {
                ChatResponse response = cached.chat(ChatRequest.builder().messages(MESSAGES)
                        .parameters(change.getValue().apply(openAiBase()).build()).build());
                assertThat(ReasoningChatResponseMetadata.isCacheHit(response)).as(change.getKey()).isFalse();
            }
            for (Map.Entry<String, UnaryOperator<OllamaChatRequestParameters.Builder>> change
                    : ollamaChanges().entrySet()) {
                ChatResponse response = cached.chat(ChatRequest.builder().messages(MESSAGES).parameters(
                        change.getValue().apply(OllamaChatRequestParameters.builder().seed(10)).build()).build());
                assertThat(ReasoningChatResponseMetadata.isCacheHit(response)).as("ollama " + change.getKey())
                        .isFalse();
            }
            assertThat(model.calls()).isEqualTo(2 + openAiChanges().size() + ollamaChanges().size());
        }
        // Rebuilt from scratch in a new instance: the same key, so a hit.
        try (CachingChatModel replay = CachingChatModel.of(model, file)) {
            ChatResponse again = replay.chat(ChatRequest.builder().messages(MESSAGES)
                    .parameters(openAiBase().build()).build());
            assertThat(ReasoningChatResponseMetadata.isCacheHit(again)).isTrue();
            ChatResponse seeded = replay.chat(ChatRequest.builder().messages(MESSAGES)
                    .parameters(OllamaChatRequestParameters.builder().seed(10).build()).build());
            assertThat(ReasoningChatResponseMetadata.isCacheHit(seeded)).isTrue();
        }
    }

    @Test
    void messagesCountByTypeTextOrderAndEveryContentPart() {
        ChatRequestParameters parameters = ChatRequestParameters.builder().build();
        List<List<ChatMessage>> variants = List.of(
                MESSAGES,
                List.of(SystemMessage.from("Be brief!"), UserMessage.from("What is 2 + 3?")),
                List.of(UserMessage.from("Be brief."), UserMessage.from("What is 2 + 3?")),
                List.of(UserMessage.from("What is 2 + 3?"), SystemMessage.from("Be brief.")),
                List.of(UserMessage.from("What is 2 + 3?")),
                List.of(UserMessage.from("ana", "What is 2 + 3?")),
                List.of(UserMessage.from(TextContent.from("What is 2 + 3?"),
                        ImageContent.from("https://example.org/a.png"))),
                List.of(UserMessage.from(TextContent.from("What is 2 + 3?"),
                        ImageContent.from("https://example.org/b.png"))),
                List.of(UserMessage.from(TextContent.from("What is 2 + 3?"),
                        ImageContent.from("https://example.org/a.png", ImageContent.DetailLevel.HIGH))),
                List.of(UserMessage.from("What is 2 + 3?"), AiMessage.from("5"), UserMessage.from("And 2 + 4?")),
                List.of(UserMessage.from("What is 2 + 3?"), AiMessage.from("6"), UserMessage.from("And 2 + 4?")));
        Set<String> keys = new TreeSet<>();
        for (List<ChatMessage> messages : variants) {
            keys.add(RequestKey.of("p.Model", "m", messages, parameters).hash());
        }
        assertThat(keys).hasSize(variants.size());
    }

    @Test
    void theModelCountsByProviderClassAndDefaultModelNameAndTheDefaultsAreMergedIn() {
        ChatRequestParameters none = ChatRequestParameters.builder().build();
        assertThat(RequestKey.of("a.Model", "m", MESSAGES, none).hash())
                .isNotEqualTo(RequestKey.of("b.Model", "m", MESSAGES, none).hash())
                .isNotEqualTo(RequestKey.of("a.Model", "n", MESSAGES, none).hash());

        // Two delegates that differ only in their default temperature: one request, two entries.
        CountingModel cold = CountingModel.answering(request -> CountingModel.echo().chat(request),
                ChatRequestParameters.builder().temperature(0.0).build());
        CountingModel warm = CountingModel.answering(request -> CountingModel.echo().chat(request),
                ChatRequestParameters.builder().temperature(1.0).build());
        Path file = dir.resolve("cache.db");
        try (CachingChatModel a = CachingChatModel.of(cold, file); CachingChatModel b = CachingChatModel.of(warm, file)) {
            a.chat("q");
            b.chat("q");
            assertThat(a.size()).isEqualTo(2);
            // ... while a request that sets what the default would have set is the same request.
            try (CachingChatModel c = CachingChatModel.of(cold, file)) {
                ChatResponse same = c.chat(ChatRequest.builder().messages(UserMessage.from("q")).temperature(0.0)
                        .build());
                assertThat(ReasoningChatResponseMetadata.isCacheHit(same)).isTrue();
            }
        }
    }

    /** Keys are equal exactly when the requests are. */
    @Property(tries = 300)
    void keysAreEqualExactlyWhenRequestsAre(@ForAll @DoubleRange(min = 0, max = 2) double t1,
                                            @ForAll @DoubleRange(min = 0, max = 2) double t2,
                                            @ForAll @IntRange(min = 0, max = 3) int seed1,
                                            @ForAll @IntRange(min = 0, max = 3) int seed2,
                                            @ForAll @IntRange(min = 0, max = 2) int text1,
                                            @ForAll @IntRange(min = 0, max = 2) int text2) {
        double temperature2 = (seed2 % 2 == 0) ? t1 : t2; // make equal temperatures common
        String a = RequestKey.of("p.M", "m", List.of(UserMessage.from("q" + text1)),
                OpenAiChatRequestParameters.builder().temperature(t1).seed(seed1).build()).hash();
        String b = RequestKey.of("p.M", "m", List.of(UserMessage.from("q" + text2)),
                OpenAiChatRequestParameters.builder().temperature(temperature2).seed(seed2).build()).hash();
        boolean same = t1 == temperature2 && seed1 == seed2 && text1 == text2;
        assertThat(a.equals(b)).isEqualTo(same);
    }

    private static Set<String> instanceFields(Class<?> type) {
        Set<String> names = new TreeSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    names.add(field.getName());
                }
            }
        }
        return names;
    }
}
