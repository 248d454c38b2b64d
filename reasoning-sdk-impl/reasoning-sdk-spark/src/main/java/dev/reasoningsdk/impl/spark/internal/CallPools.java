package dev.reasoningsdk.impl.spark.internal;

import dev.reasoningsdk.impl.llm.LlmCallException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * This JVM's call pools (see {@code CallLimits}): the running tasks' call and rate shares, by pool name. A task
 * {@link #deposit deposits} its shares when it starts and {@link #release releases} its rate when it ends; when the
 * last running task of a pool ends, the pool's unspent calls are dropped, so nothing leaks into a later job. Not
 * API.
 */
public final class CallPools {

    private static final Map<String, Pool> POOLS = new HashMap<>();

    private CallPools() {
    }

    /** A task starts: adds its call share and rate share to the pool. */
    public static synchronized void deposit(String pool, int calls, double rate) {
        Pool p = POOLS.computeIfAbsent(pool, name -> new Pool());
        p.remaining += calls;
        if (Double.isInfinite(rate)) {
            p.unpaced++;
        } else {
            p.rate += rate;
        }
        p.running++;
    }

    /** A task ends: takes its rate share back; the last one out empties the pool. */
    public static synchronized void release(String pool, double rate) {
        Pool p = POOLS.get(pool);
        if (p == null) {
            return;
        }
        if (Double.isInfinite(rate)) {
            p.unpaced--;
        } else {
            p.rate -= rate;
        }
        if (--p.running <= 0) {
            POOLS.remove(pool);
        }
    }

    /** Calls left in the pool now, or -1 when no limited task of it is running here. */
    public static synchronized int remaining(String pool) {
        Pool p = POOLS.get(pool);
        return p == null ? -1 : p.remaining;
    }

    /**
     * Takes one call from the pool and waits for its turn at the pool's rate; passes when no limited task of the
     * pool runs in this JVM.
     *
     * @throws LlmCallException (not retryable) if the pool has no call left
     */
    public static void acquire(String pool) {
        long waitNanos;
        synchronized (CallPools.class) {
            Pool p = POOLS.get(pool);
            if (p == null) {
                return;
            }
            if (p.remaining <= 0) {
                throw new LlmCallException("the job's call budget of pool '" + pool + "' is spent (this partition's "
                        + "share is used up)", null, false, false, -1, null);
            }
            p.remaining--;
            long now = System.nanoTime();
            if (p.unpaced > 0 || p.rate <= 0) {
                waitNanos = 0;
            } else {
                long start = Math.max(now, p.nextFree);
                p.nextFree = start + (long) (1e9 / p.rate);
                waitNanos = start - now;
            }
        }
        if (waitNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmCallException("interrupted while waiting for the job's rate limit", e, false, false, -1,
                        null);
            }
        }
    }

    private static final class Pool {
        int remaining;
        /** The running tasks' finite rate shares, summed. */
        double rate;
        /** Running tasks without a rate limit: while any runs, calls are not paced. */
        int unpaced;
        int running;
        long nextFree = System.nanoTime();
    }
}
