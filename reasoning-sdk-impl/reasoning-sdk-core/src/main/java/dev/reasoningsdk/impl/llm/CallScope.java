package dev.reasoningsdk.impl.llm;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.internal.ChatCalls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One unit of work's share of a {@link ModelGateway}: the calls of one technique run (one aggregation, one prompt
 * search, one sampled batch) under one {@link CallBudget}, cancelled together and counted together. Open one with
 * {@link ModelGateway#session()}.
 *
 * <ul>
 *   <li><b>Budget</b>: before each attempt the scope checks its deadline, its token budget (known tokens spent so
 *       far) and reserves one of its calls; a spent budget refuses the call with
 *       {@link CallFailure#BUDGET_EXHAUSTED} without calling the model. So does a model that throws
 *       {@link BudgetExhaustedException} (a budget kept in front of it, shared by many scopes), also when a
 *       decorator or LangChain4j wrapped it (the cause chain is searched): the call is
 *       refused, not a failed model call, and the scope is exhausted. Calls already in flight finish, so tokens may
 *       overshoot by their output. A call still running at the deadline is abandoned (a failed call of kind
 *       {@link CallFailure#BUDGET_EXHAUSTED}); a call waiting for a free slot gives up at the deadline.</li>
 *   <li><b>Cancellation</b>: {@link #cancel()} interrupts and abandons the calls in flight, wakes callers waiting
 *       for a slot or a backoff, and refuses new calls ({@link CallFailure#CANCELLED}). A thread interrupted inside
 *       {@link #call} gets its call back as cancelled, with its interrupt flag set again; the interrupt
 *       {@code cancel()} itself sends is cleared before {@code call} returns.</li>
 *   <li><b>Usage</b>: {@link #usage()} adds up every call of the scope so far (each call's own cost is in its
 *       {@link CallResult#usage()}); {@code samples} is 0, the wall time runs from the scope's opening.</li>
 * </ul>
 *
 * <p>Thread-safe: many threads may call through one scope at once ({@link #callAll} does so for a list of
 * requests), all under the gateway's concurrency limit.
 */
public final class CallScope {

    private static final Logger LOG = LoggerFactory.getLogger(CallScope.class);

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    private final ModelGateway gateway;
    private final CallBudget budget;
    private final Instant start;
    private final Instant deadlineAt;
    private final AtomicInteger reservedCalls = new AtomicInteger();
    private final AtomicLong knownTokens = new AtomicLong();
    private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();
    /** The threads inside {@link #call}, each with whether {@link #cancel()} interrupted it. */
    private final Map<Thread, AtomicBoolean> callers = new IdentityHashMap<>();
    private Usage spent = Usage.NONE;
    private volatile boolean cancelled;
    private volatile boolean exhausted;

    CallScope(ModelGateway gateway, CallBudget budget) {
        this.gateway = gateway;
        this.budget = budget;
        this.start = gateway.clock().instant();
        this.deadlineAt = budget.deadline().map(start::plus).orElse(null);
    }

    /**
     * Makes one protected call: under the gateway's concurrency limit and call timeout, retried as its retry policy
     * says, within this scope's budget and deadline. Never throws for a failed call.
     *
     * @throws IllegalStateException if the gateway is closed and this scope was not cancelled
     */
    public CallResult call(ChatRequest request) {
        return call(request, false);
    }

    /**
     * {@link #call(ChatRequest)}, where {@code emptyIsAnswer} says whether a reply whose message has empty or blank
     * text (none counts as empty) is an answer rather than {@link CallFailure#GARBAGE}: a caller that asks the model
     * to continue a prefix takes an at-once end of sequence, or white space, as what the model wrote. A reply
     * without a message is garbage either way.
     *
     * @throws IllegalStateException if the gateway is closed and this scope was not cancelled (a cancelled scope
     *                               answers {@link CallFailure#CANCELLED} without a call, gateway open or not)
     */
    public CallResult call(ChatRequest request, boolean emptyIsAnswer) {
        return call(request, emptyIsAnswer, false);
    }

    /**
     * {@link #call(ChatRequest)}, except that a reply stopped at the token limit (finish reason {@code LENGTH}) whose
     * message has empty or blank text is returned as answered, neither {@link CallFailure#GARBAGE} nor retried: a
     * provider that returns thinking apart from the content ends so when the limit cut it off while thinking, and
     * the same limit would cut the retry off too. For the sampler, which counts such a reply as cut off.
     */
    CallResult callTakingCutOff(ChatRequest request) {
        return call(request, false, true);
    }

    private CallResult call(ChatRequest request, boolean emptyIsAnswer, boolean cutOffIsAnswer) {
        Objects.requireNonNull(request, "request");
        if (!cancelled) {
            // A sampler's close cancels its batches' scopes and then closes its gateway: the samples those batches
            // still draw are cancelled, not failures of a closed gateway.
            gateway.requireOpen();
        }
        AtomicBoolean interruptedByCancel = enter();
        try {
            return new Attempts(request, emptyIsAnswer, cutOffIsAnswer).run();
        } finally {
            leave(interruptedByCancel);
        }
    }

    /**
     * Makes one protected call per request, concurrently (under the gateway's concurrency limit), and waits for all;
     * results in request order. If the calling thread is interrupted, the scope is cancelled, the calls are
     * returned as counted, and the interrupt flag is set again.
     *
     * @throws IllegalStateException if the gateway is closed
     */
    public List<CallResult> callAll(List<ChatRequest> requests) {
        return callAll(requests, false);
    }

    /**
     * {@link #callAll(List)}, with {@code emptyIsAnswer} as in {@link #call(ChatRequest, boolean)}.
     *
     * @throws IllegalStateException if the gateway is closed
     */
    public List<CallResult> callAll(List<ChatRequest> requests, boolean emptyIsAnswer) {
        List<ChatRequest> copy = List.copyOf(requests);
        gateway.requireOpen();
        List<CompletableFuture<CallResult>> futures = new ArrayList<>(copy.size());
        try {
            for (ChatRequest request : copy) {
                futures.add(CompletableFuture.supplyAsync(() -> callOnWorker(request, emptyIsAnswer),
                        gateway.executor()));
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            cancel();
            throw new IllegalStateException("gateway " + gateway.name() + " is closed");
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        boolean interrupted = false;
        while (true) {
            try {
                all.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                cancel();
            } catch (ExecutionException bug) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        List<CallResult> results = new ArrayList<>(copy.size());
        for (CompletableFuture<CallResult> future : futures) {
            results.add(future.exceptionally(bug -> CallResult.failed(CallFailure.OTHER, "internal error: " + bug,
                    0, Usage.NONE, Usage.NONE, null, false)).join());
        }
        return results;
    }

    private CallResult callOnWorker(ChatRequest request, boolean emptyIsAnswer) {
        try {
            return call(request, emptyIsAnswer);
        } finally {
            // An interrupt meant for this call must not reach the next task of the pooled thread.
            Thread.interrupted();
        }
    }

    /** Stops the scope: interrupts and abandons its calls in flight, refuses new ones. Harmless when repeated. */
    public void cancel() {
        cancelled = true;
        synchronized (callers) {
            callers.forEach((thread, flag) -> {
                flag.set(true);
                thread.interrupt();
            });
        }
        inFlight.forEach(call -> call.cancel(true));
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Whether some call was refused or cut because the calls, tokens or deadline of this scope ran out. */
    public boolean isExhausted() {
        return exhausted;
    }

    /** This scope's limits. */
    public CallBudget budget() {
        return budget;
    }

    /** Time left before the deadline (zero or negative once passed); empty without a deadline. */
    public Optional<Duration> remaining() {
        return Optional.ofNullable(remainingOrNull());
    }

    /** Every call of this scope so far, added up; wall time since the scope was opened; no samples. */
    public Usage usage() {
        Usage total;
        synchronized (this) {
            total = spent;
        }
        return total.withWallTime(Duration.between(start, gateway.clock().instant()));
    }

    private AtomicBoolean enter() {
        AtomicBoolean flag = new AtomicBoolean();
        synchronized (callers) {
            callers.put(Thread.currentThread(), flag);
        }
        return flag;
    }

    private void leave(AtomicBoolean interruptedByCancel) {
        synchronized (callers) {
            callers.remove(Thread.currentThread());
            if (interruptedByCancel.get()) {
                // The interrupt was cancel()'s, delivered; the caller gets a cancelled result, not a stray flag.
                Thread.interrupted();
            }
        }
    }

    private synchronized void count(Usage attempt) {
        spent = spent.plus(attempt);
    }

    private Duration remainingOrNull() {
        return deadlineAt == null ? null : Duration.between(gateway.clock().instant(), deadlineAt);
    }

    /** Reserves one call of the budget, or says which budget is spent. */
    private String reserveCall() {
        long tokens = knownTokens.get();
        if (tokens >= budget.maxTokens()) {
            return "token budget of " + budget.maxTokens() + " spent (" + tokens + " tokens)";
        }
        if (reservedCalls.incrementAndGet() > budget.maxCalls()) {
            reservedCalls.decrementAndGet();
            return "call budget of " + budget.maxCalls() + " spent";
        }
        return null;
    }

    private String deadlineText() {
        return budget.deadline().map(Duration::toString).orElse("none");
    }

    /** How one attempt ended. */
    private enum End {
        ANSWERED, FAILED, TIMED_OUT_AT_DEADLINE, NO_SLOT_BEFORE_DEADLINE, CANCELLED_BEFORE_CALL, CANCELLED_IN_CALL,
        REFUSED_BY_MODEL_BUDGET
    }

    private record Attempt(End end, ChatResponse response, LlmCallException error) {
        static Attempt of(End end) {
            return new Attempt(end, null, null);
        }
    }

    /** The attempts of one call, and what they cost. */
    private final class Attempts {
        private final ChatRequest request;
        private final boolean emptyIsAnswer;
        private final boolean cutOffIsAnswer;
        private final Instant callStart = gateway.clock().instant();
        private Usage usage = Usage.NONE;
        /** The part of {@link #usage} spent on replies refused as unusable. */
        private Usage refused = Usage.NONE;
        private int attempts;
        private LlmCallException lastError;
        private boolean externallyInterrupted;

        Attempts(ChatRequest request, boolean emptyIsAnswer, boolean cutOffIsAnswer) {
            this.request = request;
            this.emptyIsAnswer = emptyIsAnswer;
            this.cutOffIsAnswer = cutOffIsAnswer;
        }

        CallResult run() {
            try {
                return loop();
            } finally {
                if (externallyInterrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private CallResult loop() {
            int errors = 0;
            boolean garbageRetried = false;
            String last = "";
            RetryPolicy retryPolicy = gateway.retryPolicy();
            while (true) {
                if (cancelled) {
                    return fail(CallFailure.CANCELLED, "cancelled" + last, false);
                }
                Duration remaining = remainingOrNull();
                if (remaining != null && (remaining.isNegative() || remaining.isZero())) {
                    exhausted = true;
                    return fail(CallFailure.BUDGET_EXHAUSTED, "deadline of " + deadlineText() + " passed" + last,
                            false);
                }
                String refusal = reserveCall();
                if (refusal != null) {
                    exhausted = true;
                    return fail(CallFailure.BUDGET_EXHAUSTED, refusal + last, false);
                }
                Attempt attempt = attempt(remaining);
                if (attempt.end() == End.NO_SLOT_BEFORE_DEADLINE || attempt.end() == End.CANCELLED_BEFORE_CALL
                        || attempt.end() == End.REFUSED_BY_MODEL_BUDGET) {
                    reservedCalls.decrementAndGet();
                    if (attempt.end() == End.REFUSED_BY_MODEL_BUDGET) {
                        // A budget kept in front of the model (a run-wide or a tenant's quota) refused before
                        // anything was sent: like this scope's own budget, not a failed model call.
                        exhausted = true;
                        return fail(CallFailure.BUDGET_EXHAUSTED, attempt.error().getMessage() + last, false);
                    }
                    if (attempt.end() == End.NO_SLOT_BEFORE_DEADLINE) {
                        exhausted = true;
                        return fail(CallFailure.BUDGET_EXHAUSTED,
                                "deadline passed while waiting for a free call slot" + last, false);
                    }
                    return fail(CallFailure.CANCELLED, "cancelled" + last, false);
                }
                attempts++;
                Duration took = Duration.between(callStart, gateway.clock().instant());
                if (attempt.end() == End.ANSWERED) {
                    ChatResponse response = attempt.response();
                    String text = usableText(response);
                    Usage reply;
                    if (ReasoningChatResponseMetadata.isCacheHit(response)) {
                        // A replay is not a model call: it spends neither the call budget nor tokens, whether its text
                        // is usable or not (an empty reply stored to replay a run exactly): the model was paid when
                        // the reply was stored, and nothing is spent now.
                        reservedCalls.decrementAndGet();
                        record(new Usage(0, 0, 0, 0, 0, Duration.ZERO, 1, Map.of()));
                        // What the sampler's sample or failure carries is what the replies reported, as a replayed
                        // sample carries its stored reply's tokens: a replayed run's samples read as recorded.
                        reply = ChatCalls.tokens(response);
                    } else {
                        reply = recordTokens(response, text == null ? CallFailure.GARBAGE : null);
                    }
                    if (text != null) {
                        return answered(response, text, took);
                    }
                    // The provider billed a refused reply (a replayed one when it was stored): the sampler's failure,
                    // or the sample drawn on the retry, carries its tokens.
                    refused = refused.plus(reply);
                    last = "; last: empty answer";
                    if (gateway.retryGarbage() && !garbageRetried && !cancelled) {
                        garbageRetried = true;
                        LOG.debug("{}: the model answered nothing usable, retrying once", gateway.name());
                        continue;
                    }
                    return fail(CallFailure.GARBAGE, "the model answered nothing usable", false);
                }
                if (attempt.end() == End.CANCELLED_IN_CALL || (cancelled && attempt.end() == End.FAILED)) {
                    recordFailed(CallFailure.CANCELLED);
                    return fail(CallFailure.CANCELLED, "cancelled during a call" + last, false);
                }
                if (attempt.end() == End.TIMED_OUT_AT_DEADLINE) {
                    exhausted = true;
                    recordFailed(CallFailure.BUDGET_EXHAUSTED);
                    return fail(CallFailure.BUDGET_EXHAUSTED, "deadline of " + deadlineText()
                            + " passed during a call", false);
                }
                LlmCallException error = attempt.error();
                lastError = error;
                recordFailed(error.failure());
                errors++;
                last = "; last: " + error.getMessage();
                LOG.debug("{}: attempt {} failed: {}", gateway.name(), attempts, error.getMessage());
                if (!error.isRetryable()) {
                    LOG.warn("{}: call failed permanently: {}", gateway.name(), error.getMessage());
                    return fail(error.failure(), error.getMessage(), false);
                }
                if (errors >= retryPolicy.maxAttempts()) {
                    return fail(error.failure(), "gave up after " + errors + " failed attempts" + last, false);
                }
                Duration asked = error.retryAfter().orElse(null);
                Duration left = remainingOrNull();
                String beyond = beyondRetryAfterLimits(asked, left);
                if (beyond != null) {
                    // Calling before the server's time is known to fail, and waiting is more than we may: stop now.
                    LOG.warn("{}: the server asked to retry after {} ms, beyond {}", gateway.name(),
                            asked.toMillis(), beyond);
                    return fail(error.failure(), "the server asked to retry after " + asked.toMillis()
                            + " ms, beyond " + beyond + last, true);
                }
                Duration delay = backoff(errors, asked);
                if (left != null && delay.compareTo(left) >= 0) {
                    if (asked == null) {
                        return fail(error.failure(), "no time left before the deadline to retry" + last, false);
                    }
                    // The server's own wait fits before the deadline; only the jitter on top would not.
                    delay = asked;
                }
                try {
                    gateway.sleeper().sleep(delay);
                } catch (InterruptedException interrupted) {
                    noteInterrupt();
                    return fail(CallFailure.CANCELLED, "cancelled during backoff" + last, false);
                }
            }
        }

        /** Makes one attempt under the concurrency limit and the call timeout. */
        private Attempt attempt(Duration remaining) {
            try {
                boolean acquired = remaining == null ? acquire()
                        : gateway.permits().tryAcquire(remaining.toNanos(), TimeUnit.NANOSECONDS);
                if (!acquired) {
                    return Attempt.of(End.NO_SLOT_BEFORE_DEADLINE);
                }
            } catch (InterruptedException interrupted) {
                noteInterrupt();
                return Attempt.of(End.CANCELLED_BEFORE_CALL);
            }
            AtomicInteger state = new AtomicInteger(NEW);
            AtomicBoolean slotHeld = new AtomicBoolean(true);
            Runnable releaseSlot = () -> {
                if (slotHeld.compareAndSet(true, false)) {
                    gateway.permits().release();
                }
            };
            Future<ChatResponse> future;
            try {
                future = gateway.executor().submit(() -> {
                    if (!state.compareAndSet(NEW, RUNNING)) {
                        return null;
                    }
                    try {
                        return gateway.model().chat(request);
                    } finally {
                        releaseSlot.run();
                    }
                });
            } catch (RejectedExecutionException closedMeanwhile) {
                releaseSlot.run();
                return Attempt.of(End.CANCELLED_BEFORE_CALL);
            }
            inFlight.add(future);
            if (cancelled) {
                future.cancel(true);
            }
            Duration callTimeout = gateway.callTimeout();
            boolean atDeadline = remaining != null && remaining.compareTo(callTimeout) < 0;
            Duration wait = atDeadline ? remaining : callTimeout;
            try {
                return new Attempt(End.ANSWERED, future.get(wait.toNanos(), TimeUnit.NANOSECONDS), null);
            } catch (TimeoutException timedOut) {
                // Abandoned, not waited for: a call that ignores the interrupt keeps only its slot, not the caller.
                future.cancel(true);
                return atDeadline ? Attempt.of(End.TIMED_OUT_AT_DEADLINE)
                        : new Attempt(End.FAILED, null, LlmCallException.timedOut(callTimeout));
            } catch (ExecutionException failed) {
                // A decorator or LangChain4j may wrap the quota's refusal: it is still a refusal, never retried.
                Optional<BudgetExhaustedException> refusal = LlmCallException.causeOfType(failed.getCause(),
                        BudgetExhaustedException.class);
                return refusal.isPresent()
                        ? new Attempt(End.REFUSED_BY_MODEL_BUDGET, null, LlmCallException.classify(refusal.get()))
                        : new Attempt(End.FAILED, null, LlmCallException.classify(failed.getCause()));
            } catch (CancellationException stopped) {
                return Attempt.of(End.CANCELLED_IN_CALL);
            } catch (InterruptedException stopped) {
                noteInterrupt();
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

        /** Remembers an interrupt that did not come from {@link #cancel()}, to set the flag again on return. */
        private void noteInterrupt() {
            synchronized (callers) {
                AtomicBoolean byCancel = callers.get(Thread.currentThread());
                if (byCancel == null || !byCancel.get()) {
                    externallyInterrupted = true;
                }
            }
        }

        private boolean acquire() throws InterruptedException {
            gateway.permits().acquire();
            return true;
        }

        /** The jittered backoff before retry {@code retry}, or the server's Retry-After when that is longer. */
        private Duration backoff(int retry, Duration asked) {
            Duration delay = gateway.retryPolicy().backoff(retry, gateway.nextRandom());
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
            Duration cap = gateway.retryPolicy().maxBackoff();
            if (asked.compareTo(cap) > 0) {
                return "the backoff cap of " + cap.toMillis() + " ms";
            }
            if (left != null && asked.compareTo(left) >= 0) {
                return "the " + left.toMillis() + " ms left before the deadline";
            }
            return null;
        }

        /**
         * The response's text when it is usable: a message with non-blank text, or any message when empty text is an
         * answer (none reads as empty); null otherwise.
         */
        private String usableText(ChatResponse response) {
            AiMessage message = response == null ? null : response.aiMessage();
            String text = message == null ? null : message.text();
            boolean cutOff = cutOffIsAnswer && message != null && response.finishReason() == FinishReason.LENGTH;
            if ((emptyIsAnswer || cutOff) && message != null) {
                return text == null ? "" : text;
            }
            return text == null || text.isBlank() ? null : text;
        }

        /**
         * Counts a call that returned: its tokens (unknown when it reports none), failed when {@code kind} is set.
         * Returns what it counted.
         */
        private Usage recordTokens(ChatResponse response, CallFailure kind) {
            long in = ChatCalls.inputTokens(response);
            long out = ChatCalls.outputTokens(response);
            knownTokens.addAndGet(Math.max(in, 0) + Math.max(out, 0));
            Usage call = new Usage(0, 1, kind == null ? 0 : 1, in, out, Duration.ZERO, 0,
                    kind == null ? Map.of() : Map.of(kind, 1));
            record(call);
            return call;
        }

        /** Counts a call that failed without a response: no tokens, and the total stays known. */
        private void recordFailed(CallFailure kind) {
            record(new Usage(0, 1, 1, 0, 0, Duration.ZERO, 0, Map.of(kind, 1)));
        }

        private void record(Usage attempt) {
            usage = usage.plus(attempt);
            count(attempt);
        }

        private CallResult answered(ChatResponse response, String text, Duration took) {
            return CallResult.answered(response, text, attempts, usage.withWallTime(took), refused);
        }

        private CallResult fail(CallFailure kind, String message, boolean retryLater) {
            Duration took = Duration.between(callStart, gateway.clock().instant());
            return CallResult.failed(kind, message, attempts, usage.withWallTime(took), refused, lastError,
                    retryLater);
        }
    }
}
