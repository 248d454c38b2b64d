package dev.reasoningsdk.impl.onnx.internal;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps a model's native handles (ONNX Runtime sessions, Hugging Face tokenizers) alive while calls use them:
 * every call runs {@link #use inside} the gate, and {@link #close} frees the handles only once the calls in flight
 * have returned. Freeing a session or a tokenizer under a running call is a use after free in native code, which
 * kills the JVM (SIGSEGV in {@code libonnxruntime}) instead of failing one call. A call that starts once closing
 * has begun throws {@link IllegalStateException}; calls nested in one already running go on, so that it finishes.
 * Calls share the gate (a read lock); closing takes it alone (the write lock). Not API.
 */
public final class CloseGate {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private volatile boolean closed;
    /** Whether the handles were freed; read and written under the write lock. */
    private boolean released;

    /** @param what what is closed, as messages name it ("model tiny-reasoner@1") */
    public CloseGate(String what) {
        this.what = what;
    }

    /**
     * Runs {@code call} while the handles stay open.
     *
     * @throws IllegalStateException if {@link #close} was called before this call (or the call it is nested in)
     *                               started
     */
    public <T, E extends Exception> T use(Call<T, E> call) throws E {
        if (closed && lock.getReadHoldCount() == 0) {
            // Fail at once rather than queue behind the close, which waits for the calls in flight.
            throw new IllegalStateException(what + " is closed");
        }
        Lock shared = lock.readLock();
        shared.lock();
        try {
            // A call nested in one in flight (a generation decoding its tokens) goes on: the outer call is what
            // close waits for, and it should finish rather than fail half way.
            if (closed && lock.getReadHoldCount() == 1) {
                throw new IllegalStateException(what + " is closed");
            }
            return call.call();
        } finally {
            shared.unlock();
        }
    }

    /**
     * A call made inside the gate; it may throw the checked exception of the native library.
     *
     * @param <T> what it returns
     * @param <E> what it throws
     */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        /** Makes the call. */
        T call() throws E;
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Refuses new calls, waits for the calls in flight to return, then runs {@code release} once; a second close
     * does nothing.
     *
     * @throws IllegalStateException if called from inside a call, which would wait for itself
     */
    public void close(Runnable release) {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException(what + " cannot be closed from inside one of its own calls");
        }
        closed = true;
        Lock exclusive = lock.writeLock();
        exclusive.lock();
        try {
            if (!released) {
                released = true;
                release.run();
            }
        } finally {
            exclusive.unlock();
        }
    }
}
