package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gateway's protected path, driven by the fixtures' fault-injecting model. Assertions are on calls, failure kinds
 * and stop reasons, never on how long anything took.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ModelGatewayTest {

    private static final ChatRequest REQUEST = ChatRequest.builder().messages(UserMessage.from("2 + 2?")).build();

    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<ModelGateway> gateways = new ArrayList<>();

    @AfterEach
    void closeGateways() {
        gateways.forEach(ModelGateway::close);
    }

    /** A gateway that backs off without sleeping (recording the waits) and draws jitter 0.5. */
    private ModelGateway.Builder gateway(ChatModel model) {
        return ModelGateway.builder().model(model).callTimeout(Duration.ofSeconds(5)).sleeper(sleeps::add)
                .random(() -> 0.5);
    }

    private ModelGateway build(ModelGateway.Builder builder) {
        ModelGateway gateway = builder.build();
        gateways.add(gateway);
        return gateway;
    }

    private static FaultyChatModel.Builder faulty() {
        return FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(request -> "The answer is 4."));
    }

    @Test
    void retriesTransientFailuresOnlyAndFilesEachFailedCallByKind() {
        FaultyChatModel model = faulty().fault(0, Fault.serverError(503)).fault(1, Fault.rateLimited())
                .fault(2, Fault.timeout(Duration.ZERO)).build();
        ModelGateway gateway = build(gateway(model).retryPolicy(RetryPolicy.builder().maxAttempts(4).build()));

        CallResult result = gateway.call(REQUEST);

        assertThat(result.ok()).isTrue();
        assertThat(result.text()).isEqualTo("The answer is 4.");
        assertThat(result.attempts()).isEqualTo(4);
        assertThat(model.calls()).isEqualTo(4);
        assertThat(result.usage().modelCalls()).isEqualTo(4);
        assertThat(result.usage().failuresByKind()).containsOnly(entry(CallFailure.SERVER_ERROR, 1),
                entry(CallFailure.RATE_LIMITED, 1), entry(CallFailure.TIMEOUT, 1));
        // The failed calls had no response: the one answer's tokens are the known total.
        assertThat(result.usage().inputTokens()).isEqualTo(10);
        assertThat(sleeps).hasSize(3);

        ScriptedChatModel refused = ScriptedChatModel.builder().failure(new AuthenticationException("401")).build();
        CallResult permanent = build(gateway(refused)).call(REQUEST);
        assertThat(permanent.failure()).contains(CallFailure.CLIENT_ERROR);
        assertThat(permanent.attempts()).isEqualTo(1);
        assertThat(refused.calls()).isEqualTo(1);
        assertThat(sleeps).hasSize(3);
        assertThatThrownBy(permanent::orThrow).isInstanceOf(LlmCallException.class)
                .satisfies(e -> assertThat(((LlmCallException) e).isRetryable()).isFalse())
                .satisfies(e -> assertThat(((LlmCallException) e).usage()).isEqualTo(permanent.usage()));
    }

    @Test
    void theTypedExceptionOfAFailedCallCarriesItsUsageOrTheCallersWhole() {
        FaultyChatModel failing = faulty().everyNth(1, Fault.serverError(502)).build();
        CallResult failed = build(gateway(failing)).call(REQUEST);
        assertThatThrownBy(failed::orThrow).isInstanceOf(LlmCallException.class)
                .extracting(e -> ((LlmCallException) e).usage()).satisfies(usage -> {
                    assertThat(usage.modelCalls()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS)
                            .isEqualTo(failing.calls());
                    assertThat(usage.failuresByKind())
                            .containsOnly(entry(CallFailure.SERVER_ERROR, RetryPolicy.DEFAULT_MAX_ATTEMPTS));
                });
        // A caller that made other calls first passes what they all cost.
        Usage whole = failed.usage().plus(new Usage(1, 1, 0, 10, 4, Duration.ZERO));
        assertThatThrownBy(() -> failed.orThrow(whole)).isInstanceOf(LlmCallException.class)
                .satisfies(e -> assertThat(((LlmCallException) e).usage()).isEqualTo(whole))
                .satisfies(e -> assertThat(((LlmCallException) e).statusCode()).hasValue(502));

        ChatModel silent = faulty().everyNth(1, Fault.nullResponse()).build();
        CallResult unusable = build(gateway(silent)).call(REQUEST);
        assertThatThrownBy(unusable::orThrow).isInstanceOf(ReasoningException.class)
                .satisfies(e -> assertThat(((ReasoningException) e).usage().failuresByKind())
                        .containsOnly(entry(CallFailure.GARBAGE, 2)));
    }

    @Test
    void a429IsNeverRetriedAtOnceAndItsRetryAfterIsHonouredUpToTheCap() {
        FaultyChatModel bare = faulty().fault(0, Fault.rateLimited()).build();
        assertThat(build(gateway(bare)).call(REQUEST).ok()).isTrue();
        // Half (the jitter) of the default 500 ms first backoff, before the retry.
        assertThat(sleeps).containsExactly(Duration.ofMillis(250));

        sleeps.clear();
        FaultyChatModel asking = faulty().fault(0, Fault.rateLimited(Duration.ofSeconds(2))).build();
        assertThat(build(gateway(asking)).call(REQUEST).ok()).isTrue();
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));

        sleeps.clear();
        FaultyChatModel tooLong = faulty().fault(0, Fault.rateLimited(Duration.ofMinutes(10))).build();
        CallResult later = build(gateway(tooLong)).call(REQUEST);
        assertThat(sleeps).isEmpty();
        assertThat(tooLong.calls()).isEqualTo(1);
        assertThat(later.isRetryLater()).isTrue();
        assertThat(later.failure()).contains(CallFailure.RATE_LIMITED);
        assertThat(later.message()).contains("600000 ms", "backoff cap of 30000 ms");
        assertThatThrownBy(later::orThrow).isInstanceOf(LlmCallException.class)
                .satisfies(e -> assertThat(((LlmCallException) e).retryAfter()).contains(Duration.ofMinutes(10)));
    }

    @Test
    void aCallThatIgnoresItsInterruptReleasesTheCallerAtTheTimeoutButKeepsItsSlot() throws Exception {
        FaultyChatModel model = faulty().fault(0, Fault.trickle(Duration.ofSeconds(3))).build();
        ModelGateway gateway = build(gateway(model).concurrency(1).callTimeout(Duration.ofMillis(100))
                .retryPolicy(RetryPolicy.none()));

        CallResult timedOut = gateway.call(REQUEST);

        assertThat(timedOut.failure()).contains(CallFailure.TIMEOUT);
        assertThat(timedOut.message()).contains("no response within 100 ms");
        // The caller is back while the abandoned call still runs and holds the only slot ...
        assertThat(model.inFlight()).isEqualTo(1);
        CallResult waiting = gateway.session(gateway.budget().withDeadline(Duration.ofMillis(100))).call(REQUEST);
        assertThat(waiting.failure()).contains(CallFailure.BUDGET_EXHAUSTED);
        assertThat(waiting.message()).contains("waiting for a free call slot");
        assertThat(waiting.attempts()).isZero();
        assertThat(waiting.usage().modelCalls()).isZero();
        assertThat(model.calls()).isEqualTo(1);
        // ... until it really returns; then the slot is free again.
        await(model::inFlight, 0);
        assertThat(gateway.call(REQUEST).ok()).isTrue();
    }

    @Test
    void theDeadlineCutsAHungCallAndRefusesTheNext() {
        FaultyChatModel model = faulty().everyNth(1, Fault.hang()).build();
        ModelGateway gateway = build(gateway(model).deadline(Duration.ofMillis(200)));
        CallScope scope = gateway.session();

        CallResult cut = scope.call(REQUEST);
        CallResult refused = scope.call(REQUEST);

        assertThat(cut.failure()).contains(CallFailure.BUDGET_EXHAUSTED);
        assertThat(cut.message()).contains("passed during a call");
        assertThat(refused.failure()).contains(CallFailure.BUDGET_EXHAUSTED);
        assertThat(refused.attempts()).isZero();
        assertThat(scope.isExhausted()).isTrue();
        assertThat(scope.usage().modelCalls()).isEqualTo(1);
        assertThat(scope.usage().failuresByKind()).containsOnly(entry(CallFailure.BUDGET_EXHAUSTED, 1));
        assertThat(model.calls()).isEqualTo(1);
        assertThatThrownBy(refused::orThrow).isInstanceOf(BudgetExhaustedException.class);
    }

    @Test
    void aBudgetInFrontOfTheModelRefusesLikeTheScopesOwn() {
        // A run-wide quota kept in a ChatModel wrapper (as the CLI's --max-calls is): two calls, then refusals.
        ScriptedChatModel answers = ScriptedChatModel.byRule(request -> "4");
        AtomicInteger sent = new AtomicInteger();
        ChatModel quota = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                if (sent.incrementAndGet() > 2) {
                    throw new BudgetExhaustedException("the run's quota of 2 calls is spent", Usage.NONE);
                }
                return answers.chat(request);
            }
        };
        ModelGateway gateway = build(gateway(quota));
        CallScope scope = gateway.session();

        assertThat(scope.call(REQUEST).ok()).isTrue();
        assertThat(scope.call(REQUEST).ok()).isTrue();
        CallResult refused = scope.call(REQUEST);

        assertThat(refused.failure()).contains(CallFailure.BUDGET_EXHAUSTED);
        assertThat(refused.message()).contains("quota of 2 calls");
        assertThat(refused.attempts()).isZero();
        assertThat(scope.isExhausted()).isTrue();
        // Refused before anything was sent: neither a model call nor a failed one, and never retried.
        assertThat(scope.usage().modelCalls()).isEqualTo(2);
        assertThat(scope.usage().failedCalls()).isZero();
        assertThat(sent.get()).isEqualTo(3);
        assertThat(sleeps).isEmpty();
        assertThatThrownBy(refused::orThrow).isInstanceOf(BudgetExhaustedException.class);
    }

    /** A quota's refusal as decorators and clients hand it on: wrapped once, twice, or in a retryable exception. */
    static List<Named<Function<BudgetExhaustedException, RuntimeException>>> wrappers() {
        return List.of(
                Named.of("RuntimeException", e -> new RuntimeException("decorator failed", e)),
                Named.of("CompletionException", CompletionException::new),
                Named.of("ExecutionException in a RuntimeException",
                        e -> new RuntimeException(new ExecutionException(e))),
                // LangChain4j's retriable type: read at the top, the refusal would be retried.
                Named.of("RetriableException", e -> new RetriableException(e)),
                Named.of("ten wrappers deep", e -> {
                    RuntimeException wrapped = new RuntimeException(e);
                    for (int i = 1; i < 10; i++) {
                        wrapped = new RuntimeException("layer " + i, wrapped);
                    }
                    return wrapped;
                }));
    }

    @ParameterizedTest
    @MethodSource("wrappers")
    void aWrappedRefusalOfABudgetInFrontOfTheModelIsStillARefusal(
            Function<BudgetExhaustedException, RuntimeException> wrap) {
        AtomicInteger sent = new AtomicInteger();
        ChatModel quota = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                sent.incrementAndGet();
                throw wrap.apply(new BudgetExhaustedException("the run's quota of 0 calls is spent", Usage.NONE));
            }
        };
        CallScope scope = build(gateway(quota)).session();

        CallResult refused = scope.call(REQUEST);

        assertThat(refused.failure()).contains(CallFailure.BUDGET_EXHAUSTED);
        assertThat(refused.message()).contains("quota of 0 calls");
        assertThat(scope.isExhausted()).isTrue();
        // Neither a model call nor a failed one, and never retried.
        assertThat(scope.usage().modelCalls()).isZero();
        assertThat(scope.usage().failedCalls()).isZero();
        assertThat(sent.get()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void aCauseChainThatLoopsWithoutARefusalIsAnOrdinaryFailure() {
        RuntimeException first = new RuntimeException("first");
        RuntimeException second = new RuntimeException("second", first);
        first.initCause(second);
        AtomicInteger sent = new AtomicInteger();
        ChatModel looping = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                sent.incrementAndGet();
                throw second;
            }
        };
        CallScope scope = build(gateway(looping)).session();

        CallResult failed = scope.call(REQUEST);

        assertThat(failed.failure()).contains(CallFailure.OTHER);
        assertThat(scope.isExhausted()).isFalse();
        assertThat(scope.usage().failedCalls()).isEqualTo(1);
        assertThat(sent.get()).isEqualTo(1);
    }

    @Test
    void callAndTokenBudgetsBelongToTheScope() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "4");
        ModelGateway gateway = build(gateway(model).maxCalls(2));
        CallScope scope = gateway.session();

        List<CallResult> results = List.of(scope.call(REQUEST), scope.call(REQUEST), scope.call(REQUEST));

        assertThat(results).extracting(CallResult::ok).containsExactly(true, true, false);
        assertThat(results.get(2).message()).contains("call budget of 2 spent");
        assertThat(model.calls()).isEqualTo(2);
        assertThat(scope.usage().modelCalls()).isEqualTo(2);
        // A new scope has a fresh budget.
        assertThat(gateway.session().call(REQUEST).ok()).isTrue();

        // 15 tokens per call: calls start at 0 and 15 tokens spent; at 30 the budget of 20 is gone.
        CallScope tokens = build(gateway(model)).session(CallBudget.unlimited().withMaxTokens(20));
        assertThat(List.of(tokens.call(REQUEST), tokens.call(REQUEST), tokens.call(REQUEST)))
                .extracting(CallResult::ok).containsExactly(true, true, false);
        assertThat(tokens.usage().inputTokens() + tokens.usage().outputTokens()).isEqualTo(30);
    }

    @Test
    void cancellingAScopeStopsItsCallsInFlight() throws Exception {
        FaultyChatModel model = faulty().everyNth(1, Fault.hang()).build();
        ModelGateway gateway = build(gateway(model).concurrency(4));
        CallScope scope = gateway.session();
        AtomicReference<List<CallResult>> results = new AtomicReference<>();
        Thread caller = new Thread(() -> results.set(scope.callAll(Collections.nCopies(3, REQUEST))));

        caller.start();
        await(model::inFlight, 3);
        scope.cancel();
        caller.join(5000);

        assertThat(results.get()).extracting(r -> r.failure().orElseThrow()).containsOnly(CallFailure.CANCELLED);
        await(model::inFlight, 0);
        assertThat(model.interrupted()).isEqualTo(3);
        assertThat(scope.usage().failuresByKind()).containsOnly(entry(CallFailure.CANCELLED, 3));
        assertThat(scope.call(REQUEST).failure()).contains(CallFailure.CANCELLED);
        assertThat(model.calls()).isEqualTo(3);
        assertThatThrownBy(() -> results.get().get(0).orThrow()).isInstanceOf(ReasoningException.class)
                .satisfies(e -> assertThat(((ReasoningException) e).isRetryable()).isFalse())
                .satisfies(e -> assertThat(((ReasoningException) e).usage().failuresByKind())
                        .containsOnly(entry(CallFailure.CANCELLED, 1)));
    }

    @Test
    void anInterruptedCallerGetsItsCallBackCancelledWithItsFlagKept() throws Exception {
        FaultyChatModel model = faulty().everyNth(1, Fault.hang()).build();
        ModelGateway gateway = build(gateway(model));
        AtomicReference<CallResult> result = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            result.set(gateway.call(REQUEST));
            flag.set(Thread.currentThread().isInterrupted());
        });

        caller.start();
        await(model::inFlight, 1);
        caller.interrupt();
        caller.join(5000);

        assertThat(result.get().failure()).contains(CallFailure.CANCELLED);
        assertThat(flag.get()).isTrue();
        await(model::inFlight, 0);
    }

    @Test
    void usageStaysHonestWhenCallsFail() {
        FaultyChatModel model = faulty().fault(0, Fault.garbage()).fault(1, Fault.empty())
                .fault(2, Fault.serverError(500)).build();
        ModelGateway gateway = build(gateway(model).retryPolicy(RetryPolicy.none()));
        CallScope scope = gateway.session();

        CallResult garbageTwice = scope.call(REQUEST);
        CallResult serverError = scope.call(REQUEST);
        CallResult answered = scope.call(REQUEST);

        // Fault.garbage() has text, so only the empty reply is garbage to the gateway: it is retried once.
        assertThat(garbageTwice.ok()).isTrue();
        assertThat(serverError.failure()).contains(CallFailure.SERVER_ERROR);
        assertThat(answered.ok()).isTrue();
        Usage usage = scope.usage();
        assertThat(usage.modelCalls()).isEqualTo(4);
        assertThat(usage.failuresByKind()).containsOnly(entry(CallFailure.GARBAGE, 1),
                entry(CallFailure.SERVER_ERROR, 1));
        // 10 + 12 (garbage text), 10 + 0 (empty), nothing for the 500, 10 + 5 for the answer.
        assertThat(usage.inputTokens()).isEqualTo(30);
        assertThat(usage.outputTokens()).isEqualTo(17);
        assertThat(usage.samples()).isZero();
    }

    @Test
    void anEmptyReplyIsAnAnswerOnlyWhereTheCallerTakesItForOne() {
        FaultyChatModel empty = faulty().everyNth(1, Fault.empty()).build();
        ModelGateway gateway = build(gateway(empty));
        CallResult garbage = gateway.session().call(REQUEST);
        assertThat(garbage.failure()).contains(CallFailure.GARBAGE);
        assertThat(garbage.attempts()).isEqualTo(2);

        CallScope scope = gateway.session();
        CallResult continuation = scope.call(REQUEST, true);
        assertThat(continuation.ok()).isTrue();
        assertThat(continuation.text()).isEmpty();
        assertThat(continuation.attempts()).isEqualTo(1);
        assertThat(scope.callAll(List.of(REQUEST, REQUEST), true)).allSatisfy(r -> assertThat(r.ok()).isTrue());
        assertThat(scope.usage().failedCalls()).isZero();
        assertThat(scope.usage().modelCalls()).isEqualTo(3);
        // A reply without a message is garbage either way.
        ChatModel silent = faulty().everyNth(1, Fault.nullResponse()).build();
        assertThat(build(gateway(silent)).session().call(REQUEST, true).failure()).contains(CallFailure.GARBAGE);
    }

    @Test
    void aReplyWithoutAMessageIsGarbageNotANullPointer() {
        ChatModel silent = FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(request -> "unused"))
                .everyNth(1, Fault.nullResponse()).build();
        CallResult result = build(gateway(silent)).call(REQUEST);
        assertThat(result.failure()).contains(CallFailure.GARBAGE);
        assertThat(result.attempts()).isEqualTo(2);
        assertThatThrownBy(result::orThrow).isInstanceOf(ReasoningException.class)
                .hasMessageContaining("nothing usable");
    }

    @Test
    void aCacheHitIsNotAModelCallAndSpendsNoBudget() {
        ChatModel cache = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                return ChatResponse.builder().aiMessage(AiMessage.from("4")).metadata(ReasoningChatResponseMetadata
                        .builder().tokenUsage(new TokenUsage(10, 5)).cacheHit(true).build()).build();
            }
        };
        CallScope scope = build(gateway(cache).maxCalls(1)).session();

        List<CallResult> results = List.of(scope.call(REQUEST), scope.call(REQUEST), scope.call(REQUEST));

        assertThat(results).allMatch(CallResult::ok);
        Usage usage = scope.usage();
        assertThat(usage.modelCalls()).isZero();
        assertThat(usage.cacheHits()).isEqualTo(3);
        assertThat(usage.inputTokens()).isZero();
        assertThat(results.get(0).usage().cacheHits()).isEqualTo(1);
    }

    @Test
    void concurrencyIsOneLimitAcrossScopes() {
        // Each call waits a little before its answer, so calls overlap.
        FaultyChatModel model = FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(request -> "4"))
                .everyNth(1, Fault.delay(Duration.ofMillis(30))).build();
        ModelGateway gateway = build(gateway(model).concurrency(2));

        List<CallResult> first = gateway.session().callAll(Collections.nCopies(4, REQUEST));
        List<CallResult> second = gateway.session().callAll(Collections.nCopies(4, REQUEST));

        assertThat(first).allMatch(CallResult::ok);
        assertThat(second).allMatch(CallResult::ok);
        assertThat(model.maxInFlight()).isEqualTo(2);
    }

    @Test
    void validatesItsSettingsAndRefusesWorkWhenClosed() {
        ChatModel model = ScriptedChatModel.replying("x");
        assertThatThrownBy(() -> ModelGateway.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> ModelGateway.builder().concurrency(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("concurrency");
        assertThatThrownBy(() -> ModelGateway.builder().callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
        assertThatThrownBy(() -> ModelGateway.builder().maxCalls(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelGateway.builder().maxTokens(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CallBudget.unlimited().withDeadline(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
        ModelGateway gateway = ModelGateway.of(model);
        assertThat(gateway.budget()).isEqualTo(CallBudget.unlimited());
        gateway.close();
        gateway.close();
        assertThatThrownBy(() -> gateway.call(REQUEST)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    private static void await(IntSupplier value, int expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (value.getAsInt() != expected && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(value.getAsInt()).isEqualTo(expected);
    }
}
