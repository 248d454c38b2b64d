package dev.reasoningsdk.impl.llm;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.reasoningsdk.api.CallFailure;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleSupplier;
import java.util.function.IntToDoubleFunction;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws N samples for one prompt from any LangChain4j {@link ChatModel}, the way self-consistency needs them
 * (Wang et al., "Self-Consistency Improves Chain of Thought Reasoning in Language Models", ICLR 2023): in
 * parallel, each with its own temperature and seed, and robust to the ways model calls fail. Every call goes
 * through a {@link ModelGateway} (its own, built from this builder's options, or a shared one given with
 * {@link Builder#gateway}); each batch is one {@link CallScope} of it.
 *
 * <ul>
 *   <li><b>Concurrency</b>: at most {@code concurrency} calls of its gateway are in flight at once, across all
 *       its batches and the gateway's other users (default 8). A call that ignores interruption keeps its slot until it
 *       really returns, so the limit holds at the provider too.</li>
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
 * <p><b>What a chain holds</b>: a sample's text is the reply's message text ({@code AiMessage.text()}). Where the
 * provider returns a reasoning model's thinking separately ({@code AiMessage.thinking()}: Ollama with
 * {@code think}, servers with a reasoning parser), that thinking is not in the chain; where the model writes it
 * inline as {@code <think> ... </think>}, the chain holds it and the shipped answer extractors read the answer
 * from outside it. A reply cut off at the token limit (finish reason {@code length}) has not reached its answer: it
 * is a {@link FailureKind#TRUNCATED} failure ({@link SampleBatch#truncatedSamples()}) unless
 * {@link Builder#keepTruncated(boolean) keepTruncated(true)}; its call and tokens still count in the usage, and the
 * failure carries the reply's tokens ({@link SampleFailure#outputTokens()}), so a method that drew it can count
 * what it paid. So is
 * one cut off with empty text, as a provider that returns the thinking apart ends a reply the limit cut off while
 * thinking: it is not retried as an empty answer, since the same limit would cut the retry off too (kept, it has
 * no text to keep, and is {@link FailureKind#GARBAGE} as an empty answer is).
 *
 * <p>Every batch accounts for every sample ({@code samples + failures == requested}) and every call: each attempt
 * is in {@link Usage#modelCalls()} (a reply served from a cache in {@link Usage#cacheHits()} instead), each attempt
 * that got no usable reply (an error, a timeout, garbage) in {@link Usage#failedCalls()} and, by why, in
 * {@link Usage#failuresByKind()}; a reply cut off at the token limit is a call that succeeded, so its sample, a
 * {@link FailureKind#TRUNCATED} failure, is counted in {@link SampleBatch#truncatedSamples()} and not there; tokens
 * are summed from {@link ChatResponse#tokenUsage()} and are {@link Usage#UNKNOWN_TOKENS} when any response lacked
 * them (calls that failed without a response add none). Each sample and each failure carries the tokens of every
 * reply drawn for it: its own reply's, and those of the replies refused as unusable before it (an empty answer and
 * its retry), which the provider billed though they yielded nothing; a failure that got no reply carries 0. So,
 * without a cache, the samples' and failures' tokens add up to the batch's; replayed from one, they read as when
 * they were recorded (the stored replies' tokens, refused ones included), while the batch spends none. Thread-safe;
 * {@link #close()} stops its threads.
 */
public final class ChatModelSampler implements ChainSampler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChatModelSampler.class);

    private final ModelGateway gateway;
    private final boolean ownsGateway;
    private final String name;
    private final CallBudget batchBudget;
    private final IntToDoubleFunction temperatures;
    private final OptionalDouble temperature;
    private final SampleRequestParameters parameters;
    private final String systemMessage;
    private final boolean keepTruncated;
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChatModelSampler(Builder builder, IntToDoubleFunction temperatures) {
        this.ownsGateway = builder.gateway == null;
        this.gateway = ownsGateway ? builder.ownGateway() : builder.gateway;
        this.name = builder.name != null ? builder.name : ModelGateway.defaultName(gateway.model());
        this.batchBudget = builder.budget.apply(gateway.budget());
        this.temperatures = temperatures;
        this.temperature = builder.temperature == null ? OptionalDouble.empty()
                : OptionalDouble.of(builder.temperature);
        this.parameters = builder.parameters;
        this.systemMessage = builder.systemMessage;
        this.keepTruncated = builder.keepTruncated;
    }

    /** A builder; {@link Builder#model(ChatModel)} or {@link Builder#gateway(ModelGateway)} is required. */
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

    /** The {@link Builder#temperature} set; empty when left to the model or set per sample. */
    @Override
    public OptionalDouble temperature() {
        return temperature;
    }

    /** The most calls in flight at once (the gateway's limit, shared with its other users). */
    public int concurrency() {
        return gateway.concurrency();
    }

    /** The gateway every call of this sampler goes through. */
    public ModelGateway gateway() {
        return gateway;
    }

    /**
     * Draws {@code count} samples and waits for them. If the calling thread is interrupted, the batch is stopped
     * and returned as counted, with stop reason {@link StopReason#CANCELLED}, and the interrupt flag is restored.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     * @throws IllegalStateException    if the sampler is closed
     * @throws ReasoningException       only if the sampler itself failed, carrying the usage of the calls it made;
     *                                  failed calls are reported in the batch
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
            Throwable cause = failure.getCause();
            throw new ReasoningException("sampling from " + name + " failed", cause, false,
                    cause instanceof ReasoningException counted ? counted.usage() : Usage.NONE);
        }
    }

    /**
     * Starts drawing {@code count} samples and returns at once. Cancelling the returned future (or completing it
     * exceptionally, e.g. with {@code orTimeout}) stops the batch: calls in flight are interrupted and abandoned,
     * samples not started are not started; {@link SamplingFuture#settled()} then reports the batch as counted.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     * @throws IllegalStateException    if the sampler (or its gateway) is closed
     */
    @Override
    public SamplingFuture sampleAsync(String prompt, int count, long firstSeed) {
        Objects.requireNonNull(prompt, "prompt");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        if (closed.get() || gateway.isClosed()) {
            throw new IllegalStateException("sampler " + name + " is closed");
        }
        Run run = new Run(prompt, count, firstSeed, gateway.session(batchBudget));
        running.add(run);
        SamplingFuture result = new SamplingFuture(run::cancel);
        int workers = Math.min(count, gateway.concurrency());
        List<CompletableFuture<Void>> started = new ArrayList<>(workers);
        try {
            for (int w = 0; w < workers; w++) {
                started.add(CompletableFuture.runAsync(run::work, gateway.executor()));
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            // Closed while starting: the workers already running see the cancellation, the rest never start.
            run.cancel();
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            try {
                running.remove(run);
                SampleBatch batch = run.finish();
                LOG.debug("{}: {} of {} samples, {} calls ({} failed), stop {}, {} ms", name, batch.samples().size(),
                        count, batch.usage().modelCalls(), batch.usage().failedCalls(), batch.stopReason(),
                        batch.usage().wallTime().toMillis());
                result.settle(batch);
            } catch (RuntimeException bug) {
                // The batch is lost, not the calls its workers made: the failure says what they cost.
                result.fail(new ReasoningException("building the batch of " + name + " failed: " + bug, bug, false,
                        run.scope.usage()));
            } catch (Error error) {
                result.fail(error);
            }
        });
        return result;
    }

    /**
     * Stops the sampler, cancelling its batches in flight; when it built its own gateway, closes that too. A shared
     * gateway given to the builder stays open. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            running.forEach(Run::cancel);
            if (ownsGateway) {
                gateway.close();
            }
        }
    }

    /** The kind of sample failure a failed call is. */
    private static FailureKind kindOf(CallResult result) {
        CallFailure failure = result.failure().orElseThrow();
        if (failure == CallFailure.CANCELLED || failure == CallFailure.BUDGET_EXHAUSTED
                || failure == CallFailure.GARBAGE) {
            return failure == CallFailure.CANCELLED ? FailureKind.CANCELLED
                    : failure == CallFailure.GARBAGE ? FailureKind.GARBAGE : FailureKind.BUDGET_EXHAUSTED;
        }
        if (result.isRetryLater()) {
            return FailureKind.RETRY_LATER;
        }
        if (result.error().map(error -> !error.isRetryable()).orElse(false)) {
            return FailureKind.PERMANENT;
        }
        return failure == CallFailure.TIMEOUT ? FailureKind.TIMEOUT : FailureKind.TRANSIENT_EXHAUSTED;
    }

    /** One batch in progress: shared by its workers, finished once. */
    private final class Run {
        private final String prompt;
        private final int count;
        private final long firstSeed;
        private final CallScope scope;
        private final AtomicInteger nextIndex = new AtomicInteger();
        private final AtomicReferenceArray<Object> outcomes;
        private boolean finished;

        Run(String prompt, int count, long firstSeed, CallScope scope) {
            this.prompt = prompt;
            this.count = count;
            this.firstSeed = firstSeed;
            this.scope = scope;
            this.outcomes = new AtomicReferenceArray<>(count);
        }

        /** A worker: draws samples by index until none is left. */
        void work() {
            synchronized (this) {
                if (finished) {
                    return;
                }
            }
            try {
                for (int index = nextIndex.getAndIncrement(); index < count; index = nextIndex.getAndIncrement()) {
                    try {
                        drawSample(index);
                    } catch (RuntimeException bug) {
                        LOG.error("{}: sample {} failed unexpectedly", name, index, bug);
                        outcomes.set(index, new SampleFailure(index, FailureKind.PERMANENT, "internal error: " + bug,
                                0));
                    }
                }
            } finally {
                // The interrupt was meant for this batch, not for the next task of the pooled thread.
                Thread.interrupted();
            }
        }

        /** Stops the batch: its calls in flight are interrupted and abandoned. Harmless after the batch ended. */
        void cancel() {
            scope.cancel();
        }

        private void drawSample(int index) {
            ChatRequest request;
            try {
                request = request(index);
            } catch (RuntimeException badParameters) {
                LOG.warn("{}: no request for sample {}: {}", name, index, badParameters.toString());
                outcomes.set(index, new SampleFailure(index, FailureKind.PERMANENT,
                        "could not build the request: " + badParameters, 0));
                return;
            }
            // Unless cut-off replies are kept, one cut off with no text (the provider returned the thinking apart, and
            // the limit fell inside it) is counted as cut off, not retried as garbage: the same limit would cut again.
            // Kept, it has no text to keep, so it stays garbage.
            CallResult result = keepTruncated ? scope.call(request) : scope.callTakingCutOff(request);
            ChatResponse response = result.ok() ? result.response().orElseThrow() : null;
            // Every reply drawn for this index costs what it reports, the ones refused as unusable (an empty answer
            // retried) included, as the batch's usage counts them: a method that drew the index paid for them all.
            Usage cost = response == null ? result.refusedReplies()
                    : result.refusedReplies().plus(ChatCalls.tokens(response));
            if (response != null && !keepTruncated && response.finishReason() == FinishReason.LENGTH) {
                outcomes.set(index, new SampleFailure(index, FailureKind.TRUNCATED, "cut off at the token limit "
                        + "(finish reason length) after " + ChatCalls.outputTokens(response) + " output tokens",
                        result.attempts(), cost.inputTokens(), cost.outputTokens()));
            } else if (response != null) {
                outcomes.set(index, new Sample(index, result.text(), cost.inputTokens(), cost.outputTokens(),
                        result.attempts(), ReasoningChatResponseMetadata.tokenLogProbs(response).orElse(List.of())));
            } else {
                outcomes.set(index, new SampleFailure(index, kindOf(result), result.message(), result.attempts(),
                        cost.inputTokens(), cost.outputTokens()));
            }
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
            boolean budgetExhausted = failures.stream().anyMatch(f -> f.kind() == FailureKind.BUDGET_EXHAUSTED);
            StopReason stop = anyCancelled ? StopReason.CANCELLED
                    : budgetExhausted ? StopReason.BUDGET_EXHAUSTED : StopReason.COMPLETED;
            Usage usage = scope.usage().withSamples(samples.size());
            return new SampleBatch(count, samples, failures, stop, usage);
        }
    }

    /**
     * Builds a {@link ChatModelSampler}. Setters validate at once ({@link IllegalArgumentException} for an
     * out-of-range value, {@link NullPointerException} for null); {@link #build()} reports conflicts and a missing
     * model with {@link IllegalStateException}. With a shared {@link #gateway(ModelGateway)}, the gateway's own
     * settings (concurrency, call timeout, retries, garbage retry) are the gateway's and may not be set here; the
     * batch budget ({@code maxCalls}, {@code maxTokens}, {@code deadline}) defaults to the gateway's. Not
     * thread-safe.
     */
    public static final class Builder {
        private final ModelGateway.Builder own = ModelGateway.builder();
        private final List<String> gatewaySettings = new ArrayList<>();
        private ModelGateway gateway;
        private ChatModel model;
        private String name;
        /** The limits set here, applied over the gateway's budget (the default of every limit not set). */
        private UnaryOperator<CallBudget> budget = UnaryOperator.identity();
        private Double temperature;
        private IntToDoubleFunction temperatures;
        private SampleRequestParameters parameters = SampleRequestParameters.temperatureOnly();
        private String systemMessage;
        private boolean keepTruncated;

        private Builder() {
        }

        /**
         * The model to sample from (this or {@link #gateway}). Set its own retries to zero so attempts do not multiply.
         */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            own.model(model);
            return this;
        }

        /**
         * A gateway to call the model through, shared with other components (this or {@link #model}); the sampler
         * does not close it. Default: a gateway of its own over {@link #model}, built from this builder's settings.
         */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /**
         * The source name of the chains (default: the model's default model name, else its class name).
         *
         * @throws IllegalArgumentException if blank: a chain's source names where it came from
         */
        public Builder name(String name) {
            this.name = Arguments.notBlank(name, "name");
            return this;
        }

        /** The most calls in flight at once, across batches (default 8). */
        public Builder concurrency(int concurrency) {
            own.concurrency(concurrency);
            gatewaySettings.add("concurrency");
            return this;
        }

        /** How long one call may take before it is abandoned and counted as timed out (default 60 s). */
        public Builder callTimeout(Duration callTimeout) {
            own.callTimeout(callTimeout);
            gatewaySettings.add("callTimeout");
            return this;
        }

        /** The longest a batch may take, retries and waits included (default none). */
        public Builder deadline(Duration deadline) {
            return setBudget(limits -> limits.withDeadline(deadline));
        }

        /** Retries of transient failures (default {@link RetryPolicy#create()}). */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            own.retryPolicy(retryPolicy);
            gatewaySettings.add("retryPolicy");
            return this;
        }

        /** The most calls per batch, retries included (default unlimited). */
        public Builder maxCalls(int maxCalls) {
            return setBudget(limits -> limits.withMaxCalls(maxCalls));
        }

        /**
         * The most input plus output tokens per batch, checked before each call (default unlimited). A budget, not a
         * sample's length (which is the {@code ChatModel}'s own setting, e.g.
         * {@code OpenAiChatModels.Builder.maxOutputTokens}), unlike {@code LocalModelSampler}'s {@code maxTokens}.
         */
        public Builder maxTokens(long maxTokens) {
            return setBudget(limits -> limits.withMaxTokens(maxTokens));
        }

        /**
         * One temperature for every sample (default: the model's own, 1 on OpenAI and {@code reasoning serve}). Set
         * it to the temperature a technique's {@code sampler(sampler, temperature)} states: techniques record that
         * value and never apply it, so a sampler left at the model's default would record the wrong one.
         */
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

        /**
         * A system message sent before every prompt (default none).
         *
         * @throws IllegalArgumentException if blank: LangChain4j refuses a blank system message, so every sample
         *                                  would fail when its request is built
         */
        public Builder systemMessage(String systemMessage) {
            this.systemMessage = Arguments.notBlank(systemMessage, "systemMessage");
            return this;
        }

        /**
         * Whether a reply cut off at the token limit (finish reason {@code length}) is kept as a sample (default
         * false: it is a {@link FailureKind#TRUNCATED} failure, so it does not vote). Keep them to see what the model
         * wrote, or where a length stop still holds an answer (a cap set just after the answer line).
         */
        public Builder keepTruncated(boolean keepTruncated) {
            this.keepTruncated = keepTruncated;
            return this;
        }

        /** Whether an empty answer is retried once (default true). */
        public Builder retryGarbage(boolean retryGarbage) {
            own.retryGarbage(retryGarbage);
            gatewaySettings.add("retryGarbage");
            return this;
        }

        /** The clock for deadlines and wall time (tests). */
        Builder clock(Clock clock) {
            own.clock(clock);
            gatewaySettings.add("clock");
            return this;
        }

        /** How backoff waits (tests). */
        Builder sleeper(ModelGateway.Sleeper sleeper) {
            own.sleeper(sleeper);
            gatewaySettings.add("sleeper");
            return this;
        }

        /** The jitter source, uniform in [0, 1) (tests). */
        Builder random(DoubleSupplier random) {
            own.random(random);
            gatewaySettings.add("random");
            return this;
        }

        /**
         * The sampler.
         *
         * @throws IllegalStateException if neither a model nor a gateway is set, both are and the gateway calls another
         *                               model, both {@code temperature} and {@code temperatures} are, or a gateway
         *                               setting is set beside a gateway
         */
        public ChatModelSampler build() {
            if (model == null && gateway == null) {
                throw new IllegalStateException("model (or gateway) is required");
            }
            ChatCalls.requireSameModel(model, gateway);
            if (gateway != null && !gatewaySettings.isEmpty()) {
                throw new IllegalStateException("set " + gatewaySettings + " on the gateway, not beside it");
            }
            if (temperature != null && temperatures != null) {
                throw new IllegalStateException("set temperature or temperatures, not both");
            }
            return new ChatModelSampler(this, resolvedTemperatures());
        }

        /**
         * Adds one limit to the batch budget. {@link CallBudget} is the one place its limits are checked; trying the
         * change on an unlimited budget checks it now, as every setter does, rather than at {@link #build()}.
         */
        private Builder setBudget(UnaryOperator<CallBudget> limit) {
            limit.apply(CallBudget.unlimited());
            UnaryOperator<CallBudget> earlier = budget;
            budget = limits -> limit.apply(earlier.apply(limits));
            return this;
        }

        private ModelGateway ownGateway() {
            if (name != null) {
                own.name(name);
            }
            return own.build();
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
