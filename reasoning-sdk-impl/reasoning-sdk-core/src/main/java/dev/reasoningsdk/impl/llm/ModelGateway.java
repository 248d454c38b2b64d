package dev.reasoningsdk.impl.llm;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.RunStop;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * The one protected path for every call the SDK makes to a LangChain4j {@link ChatModel}: the sampler, the LLM
 * judge, verbalized confidence, the prompted retrieval criterion, the prompt techniques and the confidence-gated
 * model all call through a gateway, so each gets the same limits, retries and accounting.
 *
 * <ul>
 *   <li><b>Concurrency</b>: at most {@code concurrency} calls of this gateway are in flight at once, across all its
 *       scopes and callers (default 8). Share one gateway between components to share the limit.</li>
 *   <li><b>Timeouts</b>: each attempt gets {@code callTimeout} (default 60 s); then it is interrupted, abandoned and
 *       counted as a timed-out call. The caller returns at the timeout (or the deadline) even when the model ignores
 *       the interrupt (an HTTP body that trickles in forever); the abandoned call keeps its concurrency slot until it
 *       really returns, so the limit also holds at the provider.</li>
 *   <li><b>Retries</b>: transient failures (timeouts, HTTP 408, 429, 5xx, I/O errors; see
 *       {@link LlmCallException#classify}) are retried under {@code retryPolicy} (default {@link RetryPolicy#create()}:
 *       3 attempts, full-jitter exponential backoff capped at 30 s); permanent ones (400, 401, 403, 404, ...) are
 *       not. A 429 is never retried at once: the wait is the larger of the backoff and the server's Retry-After, and
 *       a Retry-After beyond the backoff cap or the deadline fails the call at once
 *       ({@link CallResult#isRetryLater()}). A reply with no message or blank text is {@link CallFailure#GARBAGE},
 *       retried once unless {@code retryGarbage(false)}. Set the provider's own retries to zero so attempts do not
 *       multiply.</li>
 *   <li><b>Scopes</b>: budgets and deadlines belong to a {@link CallScope}, opened with {@link #session()} (the
 *       gateway's {@link #budget()}: {@code maxCalls}, {@code maxTokens}, {@code deadline}, unlimited by default) or
 *       {@link #session(CallBudget)}: one technique run (one aggregation, one prompt search, one sampled batch) is
 *       one scope, with one budget, one deadline, one {@link CallScope#cancel()} that stops its calls in flight, and
 *       one aggregated {@link CallScope#usage()}. {@link #call(ChatRequest)} is a call in a scope of its own.</li>
 *   <li><b>Honest usage</b>: every attempt that reached the model is a model call; every one that yielded nothing
 *       usable a failed call, filed under its {@link CallFailure}; a reply the LM-call cache served
 *       ({@link ReasoningChatResponseMetadata#isCacheHit}) is a cache hit, not a model call, and neither spends the
 *       call budget nor adds tokens, even when its text is unusable (a stored empty reply, refused as the call's
 *       {@link CallFailure#GARBAGE} without being a failed model call). Tokens are summed from the responses; a
 *       response that reports none makes the total {@link Usage#UNKNOWN_TOKENS}, a call that failed without a
 *       response adds none (see {@link Usage}).</li>
 * </ul>
 *
 * <p>Thread-safe. The gateway owns daemon threads; {@link #close()} stops them and interrupts calls in flight
 * (closing twice is harmless). A gateway nobody closes lets its idle threads expire after a minute.
 */
public final class ModelGateway implements AutoCloseable {

    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final ChatModel model;
    private final String name;
    private final int concurrency;
    private final Duration callTimeout;
    private final RetryPolicy retryPolicy;
    private final boolean retryGarbage;
    private final CallBudget budget;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Semaphore permits;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ModelGateway(Builder builder) {
        this.model = builder.model;
        this.name = builder.name != null ? builder.name : defaultName(builder.model);
        this.concurrency = builder.concurrency;
        this.callTimeout = builder.callTimeout;
        this.retryPolicy = builder.retryPolicy;
        this.retryGarbage = builder.retryGarbage;
        this.budget = builder.budget;
        this.clock = builder.clock;
        this.sleeper = builder.sleeper;
        this.random = builder.random;
        this.permits = new Semaphore(concurrency, true);
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "reasoning-gateway-" + THREAD_IDS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A builder; {@link Builder#model(ChatModel)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A gateway over {@code model} with every default. */
    public static ModelGateway of(ChatModel model) {
        return builder().model(model).build();
    }

    /**
     * Opens a scope with this gateway's {@link #budget()}; its deadline runs from now.
     *
     * @throws IllegalStateException if the gateway is closed
     */
    public CallScope session() {
        return session(budget);
    }

    /**
     * Opens a scope with its own budget; its deadline runs from now. A scope opened by a built-in aggregator's
     * {@code solveAsync} run, on its thread (a sampler's batch, an LLM judge's scoring), is cancelled when that run
     * is: from its opening, so that no call of it starts after the run was given up, whenever that happened.
     *
     * @throws IllegalStateException if the gateway is closed
     */
    public CallScope session(CallBudget scopeBudget) {
        Objects.requireNonNull(scopeBudget, "budget");
        requireOpen();
        CallScope scope = new CallScope(this, scopeBudget);
        // Bound before the scope is handed out: a stop that fires before its first call cancels it all the same.
        RunStop.current().onStop(scope::cancel);
        return scope;
    }

    /**
     * One protected call in a scope of its own with the gateway's budget.
     *
     * @throws IllegalStateException if the gateway is closed
     */
    public CallResult call(ChatRequest request) {
        return session().call(request);
    }

    /** The model called. */
    public ChatModel model() {
        return model;
    }

    /** The name used in logs: the model's default model name, else its class name, unless set. */
    public String name() {
        return name;
    }

    /** The most calls in flight at once. */
    public int concurrency() {
        return concurrency;
    }

    /** How long one attempt may take. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /** How transient failures are retried. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** Whether a blank reply is retried once. */
    public boolean retryGarbage() {
        return retryGarbage;
    }

    /** The budget of each scope {@link #session()} opens. */
    public CallBudget budget() {
        return budget;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Stops the gateway's threads, interrupting calls in flight; closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            executor.shutdownNow();
        }
    }

    void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("gateway " + name + " is closed");
        }
    }

    Semaphore permits() {
        return permits;
    }

    ExecutorService executor() {
        return executor;
    }

    Clock clock() {
        return clock;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    double nextRandom() {
        return random.getAsDouble();
    }

    static String defaultName(ChatModel model) {
        String modelName = model.defaultRequestParameters() == null ? null
                : model.defaultRequestParameters().modelName();
        if (modelName != null && !modelName.isBlank()) {
            return modelName;
        }
        // An anonymous class or a lambda has no simple name; its class name still says where it came from.
        String simpleName = model.getClass().getSimpleName();
        return simpleName.isEmpty() ? model.getClass().getName() : simpleName;
    }

    /** Sleeps for a backoff; injected so tests need not wait. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * Builds a {@link ModelGateway}. Setters validate at once ({@link IllegalArgumentException} for an out-of-range
     * value, {@link NullPointerException} for null); {@link #build()} reports a missing model with
     * {@link IllegalStateException}. Not thread-safe.
     */
    public static final class Builder {
        private ChatModel model;
        private String name;
        private int concurrency = 8;
        private Duration callTimeout = Duration.ofSeconds(60);
        private RetryPolicy retryPolicy = RetryPolicy.create();
        private CallBudget budget = CallBudget.unlimited();
        private boolean retryGarbage = true;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder() {
        }

        /** The model called (required). Set its own retries to zero so attempts do not multiply. */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The name used in logs (default: the model's default model name, else its class name).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder name(String name) {
            this.name = Arguments.notBlank(name, "name");
            return this;
        }

        /** The most calls in flight at once, across every scope and caller (default 8). */
        public Builder concurrency(int concurrency) {
            this.concurrency = Arguments.atLeast(concurrency, 1, "concurrency");
            return this;
        }

        /** How long one attempt may take before it is abandoned and counted as timed out (default 60 s). */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Arguments.positive(callTimeout, "callTimeout");
            return this;
        }

        /** The longest a scope may take from its opening, retries and waits included (default none). */
        public Builder deadline(Duration deadline) {
            this.budget = budget.withDeadline(deadline);
            return this;
        }

        /** Retries of transient failures (default {@link RetryPolicy#create()}). */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** The most model calls per scope, retries included, cache hits not (default unlimited). */
        public Builder maxCalls(int maxCalls) {
            this.budget = budget.withMaxCalls(maxCalls);
            return this;
        }

        /**
         * The most input plus output tokens per scope, checked before each call (default unlimited). A budget, not a
         * reply's length (which is the {@code ChatModel}'s own setting).
         */
        public Builder maxTokens(long maxTokens) {
            this.budget = budget.withMaxTokens(maxTokens);
            return this;
        }

        /** Whether a blank reply is retried once (default true). */
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
         * The gateway.
         *
         * @throws IllegalStateException if no model is set
         */
        public ModelGateway build() {
            if (model == null) {
                throw new IllegalStateException("model is required");
            }
            return new ModelGateway(this);
        }
    }
}
