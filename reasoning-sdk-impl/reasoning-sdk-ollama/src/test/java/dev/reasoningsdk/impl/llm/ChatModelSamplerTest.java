package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.SampleBatch.FailureKind;
import dev.reasoningsdk.api.model.SampleBatch.Sample;
import dev.reasoningsdk.api.model.SampleBatch.SampleFailure;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChatModelSamplerTest {

    private static final RetryPolicy FAST_RETRIES = RetryPolicy.builder()
            .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(300)).build();

    /** Where {@link OllamaChatModels#seeded()} puts a sample's seed: the sampler's sample index, from first seed 0. */
    private static final Function<ChatRequest, OptionalLong> OLLAMA_SEED = request ->
            request.parameters() instanceof OllamaChatRequestParameters ollama && ollama.seed() != null
                    ? OptionalLong.of(ollama.seed()) : OptionalLong.empty();

    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<ChatModelSampler> samplers = new ArrayList<>();

    @AfterEach
    void closeSamplers() {
        samplers.forEach(ChatModelSampler::close);
    }

    /**
     * A sampler that sees sample indexes as seeds and backs off without sleeping. Its 2 s call timeout only stops
     * hung calls; tests of timeouts set a short one themselves (a short default would fire on a loaded machine).
     */
    private ChatModelSampler.Builder sampler(ChatModel model) {
        return ChatModelSampler.builder()
                .model(model)
                .name("scripted")
                .requestParameters(OllamaChatModels.seeded())
                .callTimeout(Duration.ofSeconds(2))
                .retryPolicy(FAST_RETRIES)
                .sleeper(sleeps::add)
                .random(() -> 0.5);
    }

    private static int seedOf(ChatRequest request) {
        return (int) OLLAMA_SEED.apply(request).orElseThrow();
    }

    /** Answers "ok" unless {@code plan} gives the attempt at the sample (its seed) a fault. */
    private static FaultyChatModel faulty(FaultyChatModel.SeedPlan plan) {
        return faulty(ScriptedChatModel.byRule(request -> "ok"), plan);
    }

    private static FaultyChatModel faulty(ChatModel answers, FaultyChatModel.SeedPlan plan) {
        return FaultyChatModel.builder().delegate(answers).bySeed(OLLAMA_SEED, plan).build();
    }

    /** Every call of every sample gets {@code fault}. */
    private static FaultyChatModel always(Fault fault) {
        return faulty((seed, attempt) -> Optional.of(fault));
    }

    private static Optional<Fault> when(boolean condition, Fault fault) {
        return condition ? Optional.of(fault) : Optional.empty();
    }

    private ChatModelSampler build(ChatModelSampler.Builder builder) {
        ChatModelSampler sampler = builder.build();
        samplers.add(sampler);
        return sampler;
    }

    /** Every sample is either a sample or a failure, once; every attempt is a model call. */
    private static void assertAccounted(SampleBatch batch) {
        assertThat(batch.samples().size() + batch.failures().size()).isEqualTo(batch.requested());
        List<Integer> indexes = Stream.concat(batch.samples().stream().map(Sample::index),
                batch.failures().stream().map(SampleFailure::index)).sorted().toList();
        assertThat(indexes).containsExactlyElementsOf(IntStream.range(0, batch.requested()).boxed().toList());
        int attempts = batch.samples().stream().mapToInt(Sample::attempts).sum()
                + batch.failures().stream().mapToInt(SampleFailure::attempts).sum();
        Usage usage = batch.usage();
        assertThat(usage.modelCalls()).isEqualTo(attempts);
        assertThat(usage.samples()).isEqualTo(batch.samples().size());
        assertThat(usage.modelCalls()).isEqualTo(usage.samples() + usage.failedCalls());
    }

    private static FailureKind kindOf(SampleBatch batch, int index) {
        return batch.failures().stream().filter(f -> f.index() == index).findFirst().orElseThrow().kind();
    }

    private static int attemptsOf(SampleBatch batch, int index) {
        return Stream.concat(batch.samples().stream().filter(s -> s.index() == index).map(Sample::attempts),
                batch.failures().stream().filter(f -> f.index() == index).map(SampleFailure::attempts))
                .findFirst().orElseThrow();
    }

    @Test
    void drawsEverySampleWithItsSeedAndTemperatureAndCountsTokens() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "The answer is " + seedOf(request));
        ChatModelSampler sampler = build(sampler(model).temperatures(index -> 0.1 * index));

        SampleBatch batch = sampler.sample("What?", 5, 0);

        assertThat(batch.samples()).extracting(Sample::text)
                .containsExactly("The answer is 0", "The answer is 1", "The answer is 2", "The answer is 3",
                        "The answer is 4");
        assertThat(batch.failures()).isEmpty();
        assertThat(batch.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(batch.isShort()).isFalse();
        assertThat(model.requests()).extracting(ChatModelSamplerTest::seedOf).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(model.requests()).extracting(request -> request.parameters().temperature())
                .containsExactlyInAnyOrder(0.0, 0.1, 0.2, 0.30000000000000004, 0.4);
        assertThat(batch.usage()).extracting(Usage::modelCalls, Usage::failedCalls, Usage::inputTokens,
                Usage::outputTokens).containsExactly(5, 0, 50L, 25L);
        assertThat(batch.samples().get(0)).extracting(Sample::inputTokens, Sample::outputTokens, Sample::attempts)
                .containsExactly(10L, 5L, 1);
        assertThat(batch.chains(sampler.name())).allSatisfy(chain -> assertThat(chain.source()).isEqualTo("scripted"));
        assertAccounted(batch);
    }

    @Test
    void continuesTheSeedSequenceFromFirstSeed() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "42");
        build(sampler(model)).sample("q", 3, 7);
        assertThat(model.requests()).extracting(ChatModelSamplerTest::seedOf).containsExactlyInAnyOrder(7, 8, 9);
    }

    @Test
    void tokensAreUnknownWhenAnyResponseLacksThem() {
        ScriptedChatModel model = ScriptedChatModel.builder().fallback(request -> "7")
                .tokenUsage(request -> seedOf(request) == 1 ? Optional.empty() : Optional.of(new TokenUsage(10, 5)))
                .build();
        SampleBatch batch = build(sampler(model)).sample("q", 3, 0);
        assertThat(batch.usage().inputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(batch.usage().outputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(batch.samples().get(1).inputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
    }

    @Test
    void retriesTransientFailuresWithBackoff() {
        List<RuntimeException> transients = List.of(
                new InternalServerException("503 overloaded"),
                new RateLimitException("429"),
                new LangChain4jException("connection reset", new IOException("reset")),
                new TimeoutException("408"),
                new HttpException(502, "bad gateway"),
                new UncheckedIOException(new IOException("broken pipe")));
        FaultyChatModel model = faulty((seed, attempt) -> when(attempt == 1,
                Fault.failure(transients.get((int) seed))));

        SampleBatch batch = build(sampler(model)).sample("q", transients.size(), 0);

        assertThat(batch.samples()).hasSize(transients.size()).allSatisfy(s -> assertThat(s.attempts()).isEqualTo(2));
        assertThat(batch.usage().modelCalls()).isEqualTo(12);
        assertThat(batch.usage().failedCalls()).isEqualTo(6);
        assertThat(model.calls()).isEqualTo(12);
        // First retry: half (the injected jitter) of the 100 ms initial backoff.
        assertThat(sleeps).hasSize(6).containsOnly(Duration.ofMillis(50));
        assertAccounted(batch);
    }

    @Test
    void neverRetriesPermanentFailures() {
        List<RuntimeException> permanents = List.of(
                new InvalidRequestException("400 bad request"),
                new AuthenticationException("401"),
                new HttpException(403, "forbidden"),
                new HttpException(404, "no such model"),
                new IllegalArgumentException("bug in the caller"));
        FaultyChatModel model = faulty((seed, attempt) -> Optional.of(Fault.failure(permanents.get((int) seed))));

        SampleBatch batch = build(sampler(model)).sample("q", permanents.size(), 0);

        assertThat(batch.samples()).isEmpty();
        assertThat(batch.failures()).extracting(SampleFailure::kind).containsOnly(FailureKind.PERMANENT);
        assertThat(batch.failures()).extracting(SampleFailure::attempts).containsOnly(1);
        assertThat(batch.failures().get(3).message()).contains("no such model");
        assertThat(model.calls()).isEqualTo(5);
        assertThat(sleeps).isEmpty();
        assertThat(batch.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(batch.isShort()).isTrue();
        assertAccounted(batch);
    }

    @Test
    void givesUpAfterMaxAttemptsWithGrowingCappedBackoff() {
        FaultyChatModel model = always(Fault.failure(new HttpException(500, "down")));
        ChatModelSampler sampler = build(sampler(model).random(() -> 1.0)
                .retryPolicy(RetryPolicy.builder().maxAttempts(4).initialBackoff(Duration.ofMillis(100))
                        .maxBackoff(Duration.ofMillis(250)).build()));

        SampleBatch batch = sampler.sample("q", 1, 0);

        assertThat(batch.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.TRANSIENT_EXHAUSTED);
            assertThat(failure.attempts()).isEqualTo(4);
            assertThat(failure.message()).contains("down");
        });
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
        assertThat(batch.usage().failedCalls()).isEqualTo(4);
        assertAccounted(batch);
    }

    @Test
    void waitsAtLeastTheServersRetryAfter() {
        FaultyChatModel model = faulty((seed, attempt) -> when(attempt == 1,
                Fault.failure(LlmCallException.forStatus(429, "slow down", Duration.ofSeconds(2)))));
        SampleBatch batch = build(sampler(model).retryPolicy(RetryPolicy.create())).sample("q", 1, 0);
        assertThat(batch.samples()).hasSize(1);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void aRetryAfterBeyondTheBackoffCapFailsAtOnceWithoutWaiting() {
        FaultyChatModel model = faulty((seed, attempt) -> when(attempt == 1,
                Fault.failure(LlmCallException.forStatus(429, "slow down", Duration.ofHours(1)))));
        SampleBatch batch = build(sampler(model).retryPolicy(RetryPolicy.builder()
                .maxBackoff(Duration.ofSeconds(1)).build())).sample("q", 1, 0);

        assertThat(sleeps).isEmpty();
        assertThat(batch.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.RETRY_LATER);
            assertThat(failure.attempts()).isEqualTo(1);
            assertThat(failure.message()).contains("3600000 ms", "backoff cap of 1000 ms");
        });
        assertAccounted(batch);
    }

    @Test
    void aRetryAfterBeyondTheDeadlineFailsAtOnceWithoutWaiting() {
        FaultyChatModel model = faulty((seed, attempt) -> when(attempt == 1,
                Fault.failure(new RateLimitException("slow down", new RetryAfterHttpException(429, "slow down",
                        Duration.ofSeconds(20))))));
        SampleBatch batch = build(sampler(model).retryPolicy(RetryPolicy.create()).clock(frozenClock())
                .deadline(Duration.ofSeconds(10))).sample("q", 1, 0);

        assertThat(sleeps).isEmpty();
        assertThat(batch.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.RETRY_LATER);
            assertThat(failure.attempts()).isEqualTo(1);
            assertThat(failure.message()).contains("20000 ms", "10000 ms left before the deadline");
        });
        assertThat(batch.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertAccounted(batch);
    }

    @Test
    void aRetryAfterThatEndsBeforeTheDeadlineIsWaitedEvenWhenTheJitteredBackoffWouldNot() {
        FaultyChatModel model = faulty((seed, attempt) -> when(attempt == 1,
                Fault.failure(LlmCallException.forStatus(503, "busy", Duration.ofMillis(600)))));
        SampleBatch batch = build(sampler(model).clock(frozenClock()).random(() -> 1.0)
                .deadline(Duration.ofMillis(800))
                .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(900))
                        .maxBackoff(Duration.ofSeconds(5)).build())).sample("q", 1, 0);

        assertThat(sleeps).containsExactly(Duration.ofMillis(600));
        assertThat(batch.samples()).singleElement().satisfies(s -> assertThat(s.attempts()).isEqualTo(2));
    }

    /** A clock that stands still, so the time left before a deadline is exactly what the test set. */
    private static Clock frozenClock() {
        return Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    }

    @Test
    void doesNotStartABackoffThatWouldOutlastTheDeadline() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        FaultyChatModel model = always(Fault.failure(new HttpException(503, "busy")));
        ChatModelSampler sampler = build(sampler(model).clock(clock).random(() -> 1.0)
                .sleeper(delay -> {
                    sleeps.add(delay);
                    now.updateAndGet(instant -> instant.plus(delay));
                })
                .deadline(Duration.ofMillis(1000))
                .retryPolicy(RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(400))
                        .maxBackoff(Duration.ofSeconds(10)).build()));

        SampleBatch batch = sampler.sample("q", 1, 0);

        // Backoffs of 400 ms, then 800 ms: the second would end after the 1 s deadline, so it is not taken.
        assertThat(sleeps).containsExactly(Duration.ofMillis(400));
        assertThat(batch.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.TRANSIENT_EXHAUSTED);
            assertThat(failure.attempts()).isEqualTo(2);
            assertThat(failure.message()).contains("no time left before the deadline");
        });
        assertThat(batch.usage().wallTime()).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void timesOutHungCallsAndRetriesThem() throws InterruptedException {
        FaultyChatModel model = faulty((seed, attempt) -> when(seed == 0 && attempt == 1 || seed == 1,
                Fault.hang()));

        SampleBatch batch = build(sampler(model).concurrency(2).callTimeout(Duration.ofMillis(300)))
                .sample("q", 2, 0);

        assertThat(batch.samples()).singleElement().satisfies(s -> {
            assertThat(s.index()).isZero();
            assertThat(s.attempts()).isEqualTo(2);
        });
        assertThat(batch.failures()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.TIMEOUT);
            assertThat(f.attempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
            assertThat(f.message()).contains("no response within 300 ms");
        });
        // A timed-out call is interrupted and left behind, not waited for: its thread may still be unwinding.
        awaitInFlight(model, 0);
        assertThat(model.interrupted()).isEqualTo(1 + RetryPolicy.DEFAULT_MAX_ATTEMPTS);
        assertAccounted(batch);
    }

    @Test
    void retriesAnEmptyAnswerOnceAndCountsItAsGarbage() {
        // Sample 0: an empty answer, then "ok"; sample 1: whitespace every time; sample 2: no response at all.
        FaultyChatModel model = faulty(ScriptedChatModel.byRule(request -> seedOf(request) == 1 ? " \n " : "ok"),
                (seed, attempt) -> seed == 2 ? Optional.of(Fault.nullResponse())
                        : when(seed == 0 && attempt == 1, Fault.empty()));

        SampleBatch batch = build(sampler(model)).sample("q", 3, 0);

        assertThat(attemptsOf(batch, 0)).isEqualTo(2);
        assertThat(kindOf(batch, 1)).isEqualTo(FailureKind.GARBAGE);
        assertThat(attemptsOf(batch, 1)).isEqualTo(2);
        assertThat(kindOf(batch, 2)).isEqualTo(FailureKind.GARBAGE);
        assertThat(batch.usage().failedCalls()).isEqualTo(5);
        // The null response reported no tokens.
        assertThat(batch.usage().inputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(sleeps).isEmpty();
        assertAccounted(batch);
    }

    @Test
    void garbageIsNotRetriedWhenSwitchedOff() {
        ScriptedChatModel model = ScriptedChatModel.builder().fallback(request -> " \n ").tokenUsage(10, 1).build();
        SampleBatch batch = build(sampler(model).retryGarbage(false)).sample("q", 2, 0);
        assertThat(batch.failures()).extracting(SampleFailure::attempts).containsOnly(1);
        assertThat(batch.usage().outputTokens()).isEqualTo(2);
    }

    @Test
    void callBudgetStopsWorkCleanly() {
        FaultyChatModel model = faulty((seed, attempt) -> when(seed == 0 && attempt == 1,
                Fault.failure(new RateLimitException("429"))));

        SampleBatch batch = build(sampler(model).concurrency(1).maxCalls(4)).sample("q", 6, 0);

        assertThat(model.calls()).isEqualTo(4);
        assertThat(batch.samples()).extracting(Sample::index).containsExactly(0, 1, 2);
        assertThat(batch.failures()).extracting(SampleFailure::kind).containsOnly(FailureKind.BUDGET_EXHAUSTED);
        assertThat(batch.failures()).extracting(SampleFailure::attempts).containsOnly(0);
        assertThat(batch.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(batch.usage().modelCalls()).isEqualTo(4);
        assertAccounted(batch);
    }

    @Test
    void tokenBudgetStopsWorkCleanly() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "ok");
        // 15 tokens per call: calls start at 0, 15 and 30 tokens spent; at 45 the budget of 40 is gone.
        SampleBatch batch = build(sampler(model).concurrency(1).maxTokens(40)).sample("q", 5, 0);
        assertThat(batch.samples()).hasSize(3);
        assertThat(batch.failures()).extracting(SampleFailure::message)
                .allSatisfy(message -> assertThat(message).contains("token budget of 40"));
        assertThat(batch.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertAccounted(batch);
    }

    @Test
    void deadlineStopsHungBatch() {
        FaultyChatModel model = always(Fault.hang());
        ChatModelSampler sampler = build(sampler(model).concurrency(2).callTimeout(Duration.ofSeconds(5))
                .deadline(Duration.ofMillis(200)));

        long start = System.nanoTime();
        SampleBatch batch = sampler.sample("q", 4, 0);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(batch.samples()).isEmpty();
        assertThat(batch.failures()).extracting(SampleFailure::kind).containsOnly(FailureKind.BUDGET_EXHAUSTED);
        assertThat(batch.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(batch.usage().modelCalls()).isLessThanOrEqualTo(2);
        assertAccounted(batch);
    }

    @Test
    void concurrencyNeverExceedsTheLimitEvenAcrossBatches() {
        FaultyChatModel model = always(Fault.delay(Duration.ofMillis(50)));
        ChatModelSampler sampler = build(sampler(model).concurrency(3));

        SamplingFuture first = sampler.sampleAsync("q", 9, 0);
        SamplingFuture second = sampler.sampleAsync("q", 9, 0);

        assertThat(first.join().samples()).hasSize(9);
        assertThat(second.join().samples()).hasSize(9);
        assertThat(model.maxInFlight()).isEqualTo(3);
    }

    @Test
    void cancellingStopsOutstandingCallsAndCountsThem() throws Exception {
        FaultyChatModel model = faulty((seed, attempt) -> when(seed != 0, Fault.hang()));
        ChatModelSampler sampler = build(sampler(model).concurrency(3).callTimeout(Duration.ofSeconds(30)));

        SamplingFuture future = sampler.sampleAsync("q", 8, 0);
        awaitInFlight(model, 3);
        assertThat(future.cancel(true)).isTrue();

        SampleBatch batch = future.settled().get(2, TimeUnit.SECONDS);
        assertThat(future).isCancelled();
        assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
        assertThat(batch.stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(batch.samples()).extracting(Sample::index).containsExactly(0);
        assertThat(batch.failures()).hasSize(7)
                .extracting(SampleFailure::kind).containsOnly(FailureKind.CANCELLED);
        assertThat(batch.usage().modelCalls()).isEqualTo(4);
        assertThat(batch.usage().failedCalls()).isEqualTo(3);
        awaitInFlight(model, 0);
        assertThat(model.interrupted()).isEqualTo(3);
        Thread.sleep(100);
        assertThat(model.calls()).isEqualTo(4);
        assertAccounted(batch);
    }

    @Test
    void aCallerTimeoutOnTheFutureAlsoStopsTheBatch() throws Exception {
        FaultyChatModel model = always(Fault.hang());
        ChatModelSampler sampler = build(sampler(model).concurrency(2).callTimeout(Duration.ofSeconds(30)));

        SamplingFuture future = sampler.sampleAsync("q", 2, 0);
        future.orTimeout(100, TimeUnit.MILLISECONDS);

        SampleBatch batch = future.settled().get(3, TimeUnit.SECONDS);
        assertThat(batch.failures()).extracting(SampleFailure::kind).containsOnly(FailureKind.CANCELLED);
        awaitInFlight(model, 0);
    }

    @Test
    void interruptingASynchronousCallerReturnsTheCountedBatch() throws Exception {
        FaultyChatModel model = always(Fault.hang());
        ChatModelSampler sampler = build(sampler(model).concurrency(2).callTimeout(Duration.ofSeconds(30)));
        AtomicReference<SampleBatch> result = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            result.set(sampler.sample("q", 3, 0));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });

        caller.start();
        awaitInFlight(model, 2);
        caller.interrupt();
        caller.join(3000);

        assertThat(result.get().stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(result.get().usage().modelCalls()).isEqualTo(2);
        assertThat(stillInterrupted.get()).isTrue();
        assertAccounted(result.get());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void nothingIsLostFromTheCountUnderARandomSchedule(long seed) {
        // Each call: an answer (3 in 9), or one of six faults (1 in 9 each), drawn by call number from the seed.
        double ninth = 1.0 / 9;
        FaultyChatModel model = FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(request -> "ok"))
                .random(seed, Map.of(Fault.empty(), ninth,
                        Fault.failure(new InternalServerException("500")), ninth,
                        Fault.failure(new InvalidRequestException("400")), ninth,
                        Fault.failure(new RateLimitException("429")), ninth,
                        Fault.delay(Duration.ofMillis(80)), ninth,
                        Fault.hang(), ninth))
                .build();
        ChatModelSampler sampler = build(sampler(model).concurrency(4).callTimeout(Duration.ofMillis(50))
                .maxCalls(30));

        SampleBatch batch = sampler.sample("q", 16, 0);

        assertAccounted(batch);
        assertThat(batch.usage().modelCalls()).isLessThanOrEqualTo(30).isGreaterThanOrEqualTo(model.calls());
        assertThat(model.maxInFlight()).isLessThanOrEqualTo(4);
    }

    @Test
    void validatesItsSettings() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "x");
        assertThatThrownBy(() -> ChatModelSampler.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> ChatModelSampler.builder().model(model).temperature(0.5).temperatures(i -> 1.0)
                .build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ChatModelSampler.builder().concurrency(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concurrency");
        assertThatThrownBy(() -> ChatModelSampler.builder().callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
        assertThatThrownBy(() -> ChatModelSampler.builder().temperature(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatModelSampler.builder().maxCalls(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatModelSampler.builder().model(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("model");
        ChatModelSampler sampler = build(sampler(model));
        assertThatThrownBy(() -> sampler.sample("q", 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
        assertThatThrownBy(() -> sampler.sample(null, 1, 0)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aBadPerSampleTemperatureFailsThatSampleOnly() {
        ScriptedChatModel model = ScriptedChatModel.byRule(request -> "ok");
        SampleBatch batch = build(sampler(model).temperatures(index -> index == 1 ? -1 : 0.5)).sample("q", 2, 0);
        assertThat(kindOf(batch, 1)).isEqualTo(FailureKind.PERMANENT);
        assertThat(batch.failures().get(0).message()).contains("temperature must be finite and >= 0");
        assertThat(batch.samples()).hasSize(1);
    }

    @Test
    void aClosedSamplerRefusesWorkAndClosesTwiceHarmlessly() {
        ChatModelSampler sampler = build(sampler(ScriptedChatModel.byRule(request -> "x")));
        sampler.close();
        sampler.close();
        assertThatThrownBy(() -> sampler.sample("q", 1, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    private static void awaitInFlight(FaultyChatModel model, int expected) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (model.inFlight() != expected && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(model.inFlight()).isEqualTo(expected);
    }
}
