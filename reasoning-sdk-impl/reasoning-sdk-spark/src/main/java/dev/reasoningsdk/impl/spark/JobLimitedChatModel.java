package dev.reasoningsdk.impl.spark;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.impl.llm.ForwardingChatModel;
import dev.reasoningsdk.impl.spark.internal.CallPools;
import java.util.Objects;

/**
 * A {@link ChatModel} whose calls spend from the job-wide {@link CallLimits} of a pool: wrap the remote model with
 * it inside an {@link ExecutorResource} recipe, and give the transformer {@code callLimits(CallLimits)} with the same
 * pool name. While a task of a limited job runs in this JVM, each call takes one call from the pool (or fails at
 * once with a non-retryable {@code LlmCallException} when the pool is spent) and waits for its turn at the pool's
 * rate. Outside such a task (on the driver, or in a job without limits) calls pass straight through. Put it under
 * the {@code ModelGateway}, so that each retry is a call counted against the budget. Thread-safe.
 */
public final class JobLimitedChatModel extends ForwardingChatModel {

    private final String pool;

    private JobLimitedChatModel(String pool, ChatModel delegate) {
        super(delegate);
        this.pool = pool;
    }

    /**
     * {@code delegate}, limited by the pool named {@code pool}.
     *
     * @throws IllegalArgumentException if {@code pool} is blank
     */
    public static JobLimitedChatModel of(String pool, ChatModel delegate) {
        Objects.requireNonNull(pool, "pool");
        if (pool.isBlank()) {
            throw new IllegalArgumentException("pool must not be blank");
        }
        return new JobLimitedChatModel(pool, delegate);
    }

    /** The pool's name. */
    public String pool() {
        return pool;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        CallPools.acquire(pool);
        return delegate().chat(request);
    }
}
