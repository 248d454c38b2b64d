package dev.reasoningsdk.impl.cache;

/**
 * What a {@link CachingChatModel} did so far.
 *
 * @param hits   requests answered from the database, without a model call
 * @param misses requests passed to the delegate: exactly the model calls made, failed ones included
 * @param writes entries written (a miss is not written when it failed, had no text and no tool call, or another
 *               caller or process stored the same entry first)
 */
public record CacheStats(long hits, long misses, long writes) {

    /** @throws IllegalArgumentException if a count is negative */
    public CacheStats {
        if (hits < 0 || misses < 0 || writes < 0) {
            throw new IllegalArgumentException("counts must be >= 0, were " + hits + ", " + misses + ", " + writes);
        }
    }

    /** Requests seen: hits plus misses. */
    public long requests() {
        return hits + misses;
    }
}
