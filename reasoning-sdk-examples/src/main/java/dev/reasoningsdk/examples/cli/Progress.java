package dev.reasoningsdk.examples.cli;

import java.io.PrintStream;

/**
 * Progress lines on stderr for long benchmarks, at most one every {@code intervalMillis}, so stdout stays clean
 * JSON. Not thread-safe.
 */
public final class Progress {

    private final PrintStream err;
    private final String label;
    private final long intervalMillis;
    private final long startNanos = System.nanoTime();
    private long lastPrint;

    /** Progress for a task named {@code label} on stderr, every 2 s at most. */
    public Progress(String label) {
        this(System.err, label, 2000);
    }

    Progress(PrintStream err, String label, long intervalMillis) {
        this.err = err;
        this.label = label;
        this.intervalMillis = intervalMillis;
    }

    /** Reports {@code done} of {@code total} items if the interval has passed (and always at the end). */
    public void update(long done, long total) {
        long now = System.currentTimeMillis();
        if (done < total && now - lastPrint < intervalMillis) {
            return;
        }
        lastPrint = now;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        err.printf(java.util.Locale.ROOT, "[%s] %d/%d (%.1f s)%n", label, done, total, seconds);
        err.flush();
    }
}
