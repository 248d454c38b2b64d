package dev.reasoningsdk.impl.llm;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch.FailureKind;
import dev.reasoningsdk.api.model.SampleBatch.Sample;
import dev.reasoningsdk.api.model.SampleBatch.SampleFailure;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ChatCalls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleSupplier;
import java.util.function.IntToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws N samples for one prompt from any LangChain4j {@link ChatModel}, the way self-consistency needs them
 * (Wang et al., "Self-Consistency Improves Chain of Thought Reasoning in Language Models", ICLR 2023): in
 * parallel, each with its own temperature and seed, and robust to the ways model calls fail.
 *
 * <ul>
 *   <li><b>Concurrency</b>: at most {@code concurrency} calls of this sampler are in flight at once, across all
 *       its batches (default 8). A call that ignores interruption keeps its slot until it really returns, so the
 *       limit holds at the provider too.</li>
 *   <li><b>Timeouts</b>: each call gets {@code callTimeout} (default 60 s), then it is interrupted, abandoned and
 *       counted as a timed-out call; a batch may have an overall {@code deadline} (default none), after which
 *       nothing new starts and unfinished samples fail as {@link FailureKind#BUDGET_EXHAUSTED}.</li>
 *   <li><b>Retries</b>: transient failures (timeouts, HTTP 408, 429, 5xx, I/O errors; see
 *       {@link LlmCallException#classify}) are retried under a {@link RetryPolicy} (default 3 attempts, full-jitter
 *       exponential backoff capped at 30 s); permanent failures (400, 401, 403, 404, ...) are not. An empty answer
 *       is {@link FailureKind#GARBAGE} and is retried once unless {@code retryGarbage(false)}. Set the provider's
 *       own retries to zero (as {@code OllamaChatModels} does) so attempts do not multiply.</li>
 *   <li><b>Retry-After</b>: where a failure reports one (any provider built on a
 *       {@link RetryAfterHttpClientBuilder}, or an {@link LlmCallException} carrying it), the wait before the retry
 *       is the larger of the backoff and the Retry-After. A Retry-After longer than the policy's backoff cap, or
 *       not ending before the deadline, fails the sample at once as {@link FailureKind#RETRY_LATER}, without
 *       waiting: retrying sooner is known to fail, and waiting longer is more than the caller allowed. When the
 *       Retry-After fits but the jitter on top would outlast the deadline, the Retry-After alone is waited.</li>
 *   <li><b>Budget</b>: {@code maxCalls} and {@code maxTokens} per batch (default unlimited) are checked before
 *       each call; when one is spent the batch stops cleanly with {@link StopReason#BUDGET_EXHAUSTED} and the
 *       samples not drawn are reported as such. Calls already in flight finish, so tokens may overshoot by
 *       their output.</li>
 *   <li><b>Cancellation</b>: see {@link #sampleAsync}; a thread interrupted inside {@link #sample} gets the batch
 *       back as counted, with stop reason {@link StopReason#CANCELLED}.</li>
 *   <li><b>Sampling parameters</b>: sample {@code i} uses seed {@code firstSeed + i} and temperature
 *       {@code temperature} or {@code temperatures.applyAsDouble(i)} (default: the model's own), passed through
 *       {@link SampleRequestParameters} (default {@link SampleRequestParameters#temperatureOnly()}, which has no
 *       seed because LangChain4j's common parameters have none).</li>
 * </ul>
 *
 * <p>Every batch accounts for every sample ({@code samples + failures == requested}) and every call: each attempt
 * is in {@link Usage#modelCalls()}, each attempt that did not yield a sample in {@link Usage#failedCalls()}, tokens
 * are summed from {@link ChatResponse#tokenUsage()} and are {@link Usage#UNKNOWN_TOKENS} when any response lacked
 * them (calls that failed without a response add none). Thread-safe; {@link #close()} stops its threads.
 */
public final class ChatModelSampler implements ChainSampler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChatModelSampler.class);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final ChatModel model;
    private final String name;
    private final int concurrency;
    private final Duration callTimeout;
    private final Duration deadline;
    private final RetryPolicy retryPolicy;
    private final int maxCalls;
    private final long maxTokens;
    private final IntToDoubleFunction temperatures;
    private final SampleRequestParameters parameters;
    private final String systemMessage;
    private final boolean retryGarbage;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Semaphore permits;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChatModelSampler(Builder builder, IntToDoubleFunction temperatures) {
        this.model = builder.model;
        this.name = builder.name != null ? builder.name : defaultName(builder.model);
        this.concurrency = builder.concurrency;
        this.callTimeout = builder.callTimeout;
        this.deadline = builder.deadline;
        this.retryPolicy = builder.retryPolicy;
        this.maxCalls = builder.maxCalls;
        this.maxTokens = builder.maxTokens;
        this.temperatures = temperatures;
        this.parameters = builder.parameters;
        this.systemMessage = builder.systemMessage;
        this.retryGarbage = builder.retryGarbage;
        this.clock = builder.clock;
        this.sleeper = builder.sleeper;
        this.random = builder.random;
        this.permits = new Semaphore(concurrency, true);
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "reasoning-sampler-" + THREAD_IDS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A builder; {@link Builder#model(ChatModel)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A sampler over {@code model} with every default. */
    public static ChatModelSampler of(ChatModel model) {
        return builder().model(model).build();
    }

    @Override
    public String name() {
        return name;
    }

    /** The most calls in flight at once. */
    public int concurrency() {
        return concurrency;
    }

    /**
     * Draws {@code count} samples and waits for them. If the calling thread is interrupted, the batch is stopped
     * and returned as counted, with stop reason {@link StopReason#CANCELLED}, and the interrupt flag is restored.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     * @throws IllegalStateException    if the sampler is closed
     * @throws ReasoningException       only if the sampler itself failed; failed calls are reported in the batch
     */
    @Override
    public SampleBatch sample(String prompt, int count, long firstSeed) {
        SamplingFuture future = sampleAsync(prompt, count, firstSeed);
        try {
            return future.get();
        } catch (InterruptedException interrupted) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return future.settled().join();
        } catch (ExecutionException failure) {
            throw new ReasoningException("sampling from " + name + " failed", failure.getCause(), false);
        }
    }

    /**
     * Starts drawing {@code count} samples and returns at once. Cancelling the returned future (or completing it
     * exceptionally, e.g. with {@code orTimeout}) stops the batch: calls in flight are interrupted and abandoned,
     * samples not started are not started; {@link SamplingFuture#settled()} then reports the batch as counted.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     * @throws IllegalStateException    if the sampler is closed
     */
    @Override
    public SamplingFuture sampleAsync(String prompt, int count, long firstSeed) {
        Objects.requireNonNull(prompt, "prompt");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        if (closed.get()) {
            throw new IllegalStateException("sampler " + name + " is closed");
        }
        Run run = new Run(prompt, count, firstSeed);
        SamplingFuture result = new SamplingFuture(run::cancel);
        int workers = Math.min(count, concurrency);
        List<CompletableFuture<Void>> started = new ArrayList<>(workers);
        try {
            for (int w = 0; w < workers; w++) {
                started.add(CompletableFuture.runAsync(run::work, executor));
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            // Closed while starting: the workers already running see the cancellation, the rest never start.
            run.cancel();
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            try {
                SampleBatch batch = run.finish();
                LOG.debug("{}: {} of {} samples, {} calls ({} failed), stop {}, {} ms", name, batch.samples().size(),
                        count, batch.usage().modelCalls(), batch.usage().failedCalls(), batch.stopReason(),
                        batch.usage().wallTime().toMillis());
                result.settle(batch);
            } catch (RuntimeException | Error bug) {
                result.fail(bug);
            }
        });
        return result;
    }

    /** Stops the sampler's threads, interrupting calls in flight; closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            executor.shutdownNow();
        }
    }

    private static String defaultName(ChatModel model) {
        String modelName = model.defaultRequestParameters() == null ? null
                : model.defaultRequestParameters().modelName();
        return modelName != null ? modelName : model.getClass().getSimpleName();
    }

    /** Sleeps for a backoff; injected so tests need not wait. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** How one attempt ended. */
    private enum End {
        ANSWERED, FAILED, TIMED_OUT_AT_DEADLINE, NO_SLOT_BEFORE_DEADLINE, CANCELLED_BEFORE_CALL, CANCELLED_IN_CALL
    }

    private record Attempt(End end, ChatResponse response, LlmCallException error) {
        static Attempt of(End end) {
            return new Attempt(end, null, null);
        }
    }

    /** One batch in progress: shared by its workers, finished once. */
    private final class Run {
        private static final int NEW = 0;
        private static final int RUNNING = 1;
        private static final int ABANDONED = 2;

        private final String prompt;
        private final int count;
        private final long firstSeed;
        private final Instant start;
        private final Instant deadlineAt;
        private final AtomicInteger nextIndex = new AtomicInteger();
        private final AtomicInteger reservedCalls = new AtomicInteger();
        private final AtomicInteger modelCalls = new AtomicInteger();
        private final AtomicInteger failedCalls = new AtomicInteger();
        private final AtomicLong inputTokens = new AtomicLong();
        private final AtomicLong outputTokens = new AtomicLong();
        private final AtomicBoolean inputTokensUnknown = new AtomicBoolean();
        private final AtomicBoolean outputTokensUnknown = new AtomicBoolean();
        private final AtomicReferenceArray<Object> outcomes;
        private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();
        private final Set<Thread> workers = new HashSet<>();
        private volatile boolean cancelled;
        private volatile boolean budgetExhausted;
        private boolean finished;

        Run(String prompt, int count, long firstSeed) {
            this.prompt = prompt;
            this.count = count;
            this.firstSeed = firstSeed;
            this.start = clock.instant();
            this.deadlineAt = deadline == null ? null : start.plus(deadline);
            this.outcomes = new AtomicReferenceArray<>(count);
        }

        /** A worker: draws samples by index until none is left. */
        void work() {
            synchronized (this) {
                if (finished) {
                    return;
                }
                workers.add(Thread.currentThread());
            }
            try {
                for (int index = nextIndex.getAndIncrement(); index < count; index = nextIndex.getAndIncrement()) {
                    try {
                        drawSample(index);
                    } catch (RuntimeException bug) {
                        LOG.error("{}: sample {} failed unexpectedly", name, index, bug);
                        fail(index, FailureKind.PERMANENT, "internal error: " + bug, 0);
                    }
                }
            } finally {
                synchronized (this) {
                    workers.remove(Thread.currentThread());
                }
                // The interrupt was meant for this batch, not for the next task of the pooled thread.
                Thread.interrupted();
            }
        }

        /** Stops the batch: interrupts its workers and its calls in flight. Harmless after the batch ended. */
        void cancel() {
            synchronized (this) {
                if (finished || cancelled) {
                    return;
                }
                cancelled = true;
                workers.forEach(Thread::interrupt);
            }
            inFlight.forEach(call -> call.cancel(true));
        }

        private void drawSample(int index) {
            ChatRequest request;
            try {
                request = request(index);
            } catch (RuntimeException badParameters) {
                LOG.warn("{}: no request for sample {}: {}", name, index, badParameters.toString());
                fail(index, FailureKind.PERMANENT, "could not build the request: " + badParameters, 0);
                return;
            }
            int attempts = 0;
            int errors = 0;
            boolean garbageRetried = false;
            String last = "";
            while (true) {
                if (cancelled) {
                    fail(index, FailureKind.CANCELLED, "cancelled" + last, attempts);
                    return;
                }
                Duration remaining = remaining();
                if (remaining != null && (remaining.isNegative() || remaining.isZero())) {
                    budgetExhausted = true;
                    fail(index, FailureKind.BUDGET_EXHAUSTED, "deadline of " + deadline + " passed" + last, attempts);
                    return;
                }
                String refusal = reserveCall();
                if (refusal != null) {
                    budgetExhausted = true;
                    fail(index, FailureKind.BUDGET_EXHAUSTED, refusal + last, attempts);
                    return;
                }
                Attempt attempt = call(request, remaining);
                if (attempt.end() == End.NO_SLOT_BEFORE_DEADLINE || attempt.end() == End.CANCELLED_BEFORE_CALL) {
                    reservedCalls.decrementAndGet();
                    boolean deadlinePassed = attempt.end() == End.NO_SLOT_BEFORE_DEADLINE;
                    budgetExhausted |= deadlinePassed;
                    fail(index, deadlinePassed ? FailureKind.BUDGET_EXHAUSTED : FailureKind.CANCELLED,
                            (deadlinePassed ? "deadline passed while waiting for a free call slot" : "cancelled")
                                    + last, attempts);
                    return;
                }
                attempts++;
                if (attempt.end() == End.ANSWERED) {
                    String text = usableText(attempt.response());
                    if (text != null) {
                        succeed(index, text, attempt.response(), attempts);
                        return;
                    }
                    failedCalls.incrementAndGet();
                    last = "; last: empty answer";
                    if (retryGarbage && !garbageRetried && !cancelled) {
                        garbageRetried = true;
                        LOG.debug("{}: sample {} answered nothing usable, retrying once", name, index);
                        continue;
                    }
                    fail(index, FailureKind.GARBAGE, "the model answered nothing usable", attempts);
                    return;
                }
                failedCalls.incrementAndGet();
                if (attempt.end() == End.CANCELLED_IN_CALL || cancelled) {
                    fail(index, FailureKind.CANCELLED, "cancelled during a call" + last, attempts);
                    return;
                }
                if (attempt.end() == End.TIMED_OUT_AT_DEADLINE) {
                    budgetExhausted = true;
                    fail(index, FailureKind.BUDGET_EXHAUSTED, "deadline of " + deadline + " passed during a call",
                            attempts);
                    return;
                }
                LlmCallException error = attempt.error();
                errors++;
                last = "; last: " + error.getMessage();
                LOG.debug("{}: sample {} attempt {} failed: {}", name, index, attempts, error.getMessage());
                if (!error.isRetryable()) {
                    LOG.warn("{}: sample {} failed permanently: {}", name, index, error.getMessage());
                    fail(index, FailureKind.PERMANENT, error.getMessage(), attempts);
                    return;
                }
                FailureKind exhausted = error.isTimeout() ? FailureKind.TIMEOUT : FailureKind.TRANSIENT_EXHAUSTED;
                if (errors >= retryPolicy.maxAttempts()) {
                    fail(index, exhausted, "gave up after " + errors + " failed attempts" + last, attempts);
                    return;
                }
                Duration asked = error.retryAfter().orElse(null);
                Duration left = remaining();
                String beyond = beyondRetryAfterLimits(asked, left);
                if (beyond != null) {
                    // Calling before the server's time is known to fail, and waiting is more than we may: stop now.
                    LOG.warn("{}: sample {}: the server asked to retry after {} ms, beyond {}", name, index,
                            asked.toMillis(), beyond);
                    fail(index, FailureKind.RETRY_LATER, "the server asked to retry after " + asked.toMillis()
                            + " ms, beyond " + beyond + last, attempts);
                    return;
                }
                Duration delay = backoff(errors, asked);
                if (left != null && delay.compareTo(left) >= 0) {
                    if (asked == null) {
                        fail(index, exhausted, "no time left before the deadline to retry" + last, attempts);
                        return;
                    }
                    // The server's own wait fits before the deadline; only the jitter on top would not.
                    delay = asked;
                }
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException interrupted) {
                    fail(index, FailureKind.CANCELLED, "cancelled during backoff" + last, attempts);
                    return;
                }
            }
        }

        /** Makes one call under the concurrency limit and the call timeout. */
        private Attempt call(ChatRequest request, Duration remaining) {
            try {
                boolean acquired = remaining == null ? acquire() : permits.tryAcquire(remaining.toNanos(),
                        TimeUnit.NANOSECONDS);
                if (!acquired) {
                    return Attempt.of(End.NO_SLOT_BEFORE_DEADLINE);
                }
            } catch (InterruptedException interrupted) {
                return Attempt.of(End.CANCELLED_BEFORE_CALL);
            }
            AtomicInteger state = new AtomicInteger(NEW);
            AtomicBoolean slotHeld = new AtomicBoolean(true);
            Runnable releaseSlot = () -> {
                if (slotHeld.compareAndSet(true, false)) {
                    permits.release();
                }
            };
            Future<ChatResponse> future;
            try {
                future = executor.submit(() -> {
                    if (!state.compareAndSet(NEW, RUNNING)) {
                        return null;
                    }
                    try {
                        return model.chat(request);
                    } finally {
                        releaseSlot.run();
                    }
                });
            } catch (RejectedExecutionException closedMeanwhile) {
                releaseSlot.run();
                return Attempt.of(End.CANCELLED_BEFORE_CALL);
            }
            modelCalls.incrementAndGet();
            inFlight.add(future);
            if (cancelled) {
                future.cancel(true);
            }
            boolean atDeadline = remaining != null && remaining.compareTo(callTimeout) < 0;
            Duration wait = atDeadline ? remaining : callTimeout;
            try {
                return new Attempt(End.ANSWERED, future.get(wait.toNanos(), TimeUnit.NANOSECONDS), null);
            } catch (TimeoutException timedOut) {
                future.cancel(true);
                return atDeadline ? Attempt.of(End.TIMED_OUT_AT_DEADLINE)
                        : new Attempt(End.FAILED, null, LlmCallException.timedOut(callTimeout));
            } catch (ExecutionException failed) {
                return new Attempt(End.FAILED, null, LlmCallException.classify(failed.getCause()));
            } catch (CancellationException | InterruptedException stopped) {
                future.cancel(true);
                return Attempt.of(End.CANCELLED_IN_CALL);
            } finally {
                inFlight.remove(future);
                // A call abandoned before its thread picked it up never runs, so its slot is freed here.
                if (state.compareAndSet(NEW, ABANDONED)) {
                    releaseSlot.run();
                }
            }
        }

        private boolean acquire() throws InterruptedException {
            permits.acquire();
            return true;
        }

        private ChatRequest request(int index) {
            OptionalDouble temperature = temperatures == null ? OptionalDouble.empty()
                    : OptionalDouble.of(temperatures.applyAsDouble(index));
            List<ChatMessage> messages = systemMessage == null ? List.of(UserMessage.from(prompt))
                    : List.of(SystemMessage.from(systemMessage), UserMessage.from(prompt));
            return ChatRequest.builder()
                    .messages(messages)
                    .parameters(parameters.forSample(index, temperature, firstSeed + index))
                    .build();
        }

        /** Reserves one call of the budget, or says which budget is spent. */
        private String reserveCall() {
            long tokens = inputTokens.get() + outputTokens.get();
            if (tokens >= maxTokens) {
                return "token budget of " + maxTokens + " spent (" + tokens + " tokens)";
            }
            if (reservedCalls.incrementAndGet() > maxCalls) {
                reservedCalls.decrementAndGet();
                return "call budget of " + maxCalls + " spent";
            }
            return null;
        }

        /** The jittered backoff before retry {@code retry}, or the server's Retry-After when that is longer. */
        private Duration backoff(int retry, Duration asked) {
            Duration delay = retryPolicy.backoff(retry, random.getAsDouble());
            return asked != null && asked.compareTo(delay) > 0 ? asked : delay;
        }

        /**
         * Which limit a server's Retry-After exceeds (the backoff cap, or the time {@code left} before the
         * deadline), or null when it exceeds neither or there is none.
         */
        private String beyondRetryAfterLimits(Duration asked, Duration left) {
            if (asked == null) {
                return null;
            }
            if (asked.compareTo(retryPolicy.maxBackoff()) > 0) {
                return "the backoff cap of " + retryPolicy.maxBackoff().toMillis() + " ms";
            }
            if (left != null && asked.compareTo(left) >= 0) {
                return "the " + left.toMillis() + " ms left before the deadline";
            }
            return null;
        }

        /** Time left before the deadline, or null without one. */
        private Duration remaining() {
            return deadlineAt == null ? null : Duration.between(clock.instant(), deadlineAt);
        }

        private String usableText(ChatResponse response) {
            countTokens(response);
            AiMessage message = response == null ? null : response.aiMessage();
            String text = message == null ? null : message.text();
            return text == null || text.isBlank() ? null : text;
        }

        private void countTokens(ChatResponse response) {
            long in = ChatCalls.inputTokens(response);
            long out = ChatCalls.outputTokens(response);
            if (in == Usage.UNKNOWN_TOKENS) {
                inputTokensUnknown.set(true);
            } else {
                inputTokens.addAndGet(in);
            }
            if (out == Usage.UNKNOWN_TOKENS) {
                outputTokensUnknown.set(true);
            } else {
                outputTokens.addAndGet(out);
            }
        }

        private void succeed(int index, String text, ChatResponse response, int attempts) {
            // The response's token log-probabilities travel with the sample, for white-box scoring of remote chains.
            outcomes.set(index, new Sample(index, text, ChatCalls.inputTokens(response),
                    ChatCalls.outputTokens(response), attempts,
                    ReasoningChatResponseMetadata.tokenLogProbs(response).orElse(List.of())));
        }

        private void fail(int index, FailureKind kind, String message, int attempts) {
            outcomes.set(index, new SampleFailure(index, kind, message, attempts));
        }

        /** Builds the batch once every worker has returned. */
        SampleBatch finish() {
            synchronized (this) {
                finished = true;
            }
            List<Sample> samples = new ArrayList<>();
            List<SampleFailure> failures = new ArrayList<>();
            for (int index = 0; index < count; index++) {
                Object outcome = outcomes.get(index);
                if (outcome instanceof Sample sample) {
                    samples.add(sample);
                } else if (outcome instanceof SampleFailure failure) {
                    failures.add(failure);
                } else {
                    // Only when the sampler closed before a worker reached this index: nothing was attempted.
                    failures.add(new SampleFailure(index, FailureKind.CANCELLED, "not started", 0));
                }
            }
            boolean anyCancelled = failures.stream().anyMatch(f -> f.kind() == FailureKind.CANCELLED);
            StopReason stop = anyCancelled ? StopReason.CANCELLED
                    : budgetExhausted ? StopReason.BUDGET_EXHAUSTED : StopReason.COMPLETED;
            Usage usage = new Usage(samples.size(), modelCalls.get(), failedCalls.get(),
                    inputTokensUnknown.get() ? Usage.UNKNOWN_TOKENS : inputTokens.get(),
                    outputTokensUnknown.get() ? Usage.UNKNOWN_TOKENS : outputTokens.get(),
                    Duration.between(start, clock.instant()));
            return new SampleBatch(count, samples, failures, stop, usage);
        }
    }

    /**
     * Builds a {@link ChatModelSampler}. Setters validate at once ({@link IllegalArgumentException} for an
     * out-of-range value, {@link NullPointerException} for null); {@link #build()} reports conflicts and a missing
     * model with {@link IllegalStateException}. Not thread-safe.
     */
    public static final class Builder {
        private ChatModel model;
        private String name;
        private int concurrency = 8;
        private Duration callTimeout = Duration.ofSeconds(60);
        private Duration deadline;
        private RetryPolicy retryPolicy = RetryPolicy.create();
        private int maxCalls = Integer.MAX_VALUE;
        private long maxTokens = Long.MAX_VALUE;
        private Double temperature;
        private IntToDoubleFunction temperatures;
        private SampleRequestParameters parameters = SampleRequestParameters.temperatureOnly();
        private String systemMessage;
        private boolean retryGarbage = true;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {
        }

        /** The model to sample from (required). Set its own retries to zero so attempts do not multiply. */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The source name of the chains (default: the model's default model name, else its class name). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The most calls in flight at once, across batches (default 8). */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** How long one call may take before it is abandoned and counted as timed out (default 60 s). */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Arguments.positive(callTimeout, "callTimeout");
            return this;
        }

        /** The longest a batch may take, retries and waits included (default none). */
        public Builder deadline(Duration deadline) {
            this.deadline = Arguments.positive(deadline, "deadline");
            return this;
        }

        /** Retries of transient failures (default {@link RetryPolicy#create()}). */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** The most calls per batch, retries included (default unlimited). */
        public Builder maxCalls(int maxCalls) {
            if (maxCalls < 1) {
                throw new IllegalArgumentException("maxCalls must be >= 1, was " + maxCalls);
            }
            this.maxCalls = maxCalls;
            return this;
        }

        /** The most input plus output tokens per batch, checked before each call (default unlimited). */
        public Builder maxTokens(long maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /** One temperature for every sample (default: the model's own). */
        public Builder temperature(double temperature) {
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /** A temperature per sample index, e.g. a spread for diversity (default: the model's own). */
        public Builder temperatures(IntToDoubleFunction temperatures) {
            this.temperatures = Objects.requireNonNull(temperatures, "temperatures");
            return this;
        }

        /** How temperature and seed reach the provider (default {@link SampleRequestParameters#temperatureOnly()}). */
        public Builder requestParameters(SampleRequestParameters parameters) {
            this.parameters = Objects.requireNonNull(parameters, "parameters");
            return this;
        }

        /** A system message sent before every prompt (default none). */
        public Builder systemMessage(String systemMessage) {
            this.systemMessage = Objects.requireNonNull(systemMessage, "systemMessage");
            return this;
        }

        /** Whether an empty answer is retried once (default true). */
        public Builder retryGarbage(boolean retryGarbage) {
            this.retryGarbage = retryGarbage;
            return this;
        }

        /** The clock for deadlines and wall time (tests). */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How backoff waits (tests). */
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** The jitter source, uniform in [0, 1) (tests). */
        Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * The sampler.
         *
         * @throws IllegalStateException if no model is set, or both {@code temperature} and {@code temperatures}
         */
        public ChatModelSampler build() {
            if (model == null) {
                throw new IllegalStateException("model is required");
            }
            if (temperature != null && temperatures != null) {
                throw new IllegalStateException("set temperature or temperatures, not both");
            }
            return new ChatModelSampler(this, resolvedTemperatures());
        }

        private IntToDoubleFunction resolvedTemperatures() {
            if (temperatures != null) {
                IntToDoubleFunction given = temperatures;
                return index -> Arguments.temperature(given.applyAsDouble(index));
            }
            if (temperature != null) {
                double fixed = temperature;
                return index -> fixed;
            }
            return null;
        }
    }
}
