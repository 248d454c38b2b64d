package dev.reasoningsdk.impl.prompt;

/**
 * Receives progress events of a prompt search, on the search's own thread, after every evaluation and at the end of
 * every iteration. Must return quickly; an exception thrown here is logged and ignored.
 */
@FunctionalInterface
public interface SearchListener {

    /** Called with the run's state after each evaluation and iteration. */
    void onProgress(SearchProgress progress);

    /** A listener that ignores everything. */
    static SearchListener none() {
        return progress -> { };
    }
}
