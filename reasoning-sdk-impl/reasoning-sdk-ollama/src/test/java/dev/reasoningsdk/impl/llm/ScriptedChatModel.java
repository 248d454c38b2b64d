package dev.reasoningsdk.impl.llm;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ChatModel} test double that answers, fails, hangs or returns garbage on a schedule. The schedule sees
 * the sample index (from the seed, so requests must use {@link OllamaChatModels#seeded()} with first seed 0) and
 * the attempt number of that sample. It records calls, calls in flight and interrupted calls.
 */
final class ScriptedChatModel implements ChatModel {

    /** What one call does. */
    @FunctionalInterface
    interface Behaviour {
        ChatResponse act() throws Exception;
    }

    /** Picks the behaviour of attempt {@code attempt} (1-based) of sample {@code index}. */
    @FunctionalInterface
    interface Script {
        Behaviour behaviour(int index, int attempt);
    }

    private final Script script;
    private final Map<Integer, AtomicInteger> attemptsBySample = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger interrupted = new AtomicInteger();
    final List<Double> temperatures = new CopyOnWriteArrayList<>();
    final List<Integer> seeds = new CopyOnWriteArrayList<>();

    ScriptedChatModel(Script script) {
        this.script = script;
    }

    static ScriptedChatModel answering(String text) {
        return new ScriptedChatModel((index, attempt) -> answer(text));
    }

    static Behaviour answer(String text) {
        return () -> response(text, new TokenUsage(10, 5));
    }

    static Behaviour answerWithoutTokens(String text) {
        return () -> ChatResponse.builder().aiMessage(AiMessage.from(text)).build();
    }

    static Behaviour fail(RuntimeException failure) {
        return () -> {
            throw failure;
        };
    }

    static Behaviour garbage() {
        return () -> response(" \n ", new TokenUsage(10, 1));
    }

    static Behaviour nothing() {
        return () -> null;
    }

    /** Sleeps {@code millis} (interruptibly, as an HTTP client does), then answers. */
    static Behaviour slow(long millis, String text) {
        return () -> {
            Thread.sleep(millis);
            return response(text, new TokenUsage(10, 5));
        };
    }

    /** Never answers until interrupted. */
    static Behaviour hang() {
        return () -> {
            Thread.sleep(60_000);
            throw new AssertionError("a hung call was not interrupted");
        };
    }

    private static ChatResponse response(String text, TokenUsage usage) {
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).tokenUsage(usage).build();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        int index = request.parameters() instanceof OllamaChatRequestParameters ollama && ollama.seed() != null
                ? ollama.seed() : -1;
        seeds.add(index);
        temperatures.add(request.parameters().temperature());
        int attempt = attemptsBySample.computeIfAbsent(index, i -> new AtomicInteger()).incrementAndGet();
        calls.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            return script.behaviour(index, attempt).act();
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw new RuntimeException("Interrupted during action execution", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeException(e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    int calls() {
        return calls.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    int interrupted() {
        return interrupted.get();
    }

    int attempts(int index) {
        AtomicInteger attempts = attemptsBySample.get(index);
        return attempts == null ? 0 : attempts.get();
    }
}
