package dev.reasoningsdk.impl.prompt;

/**
 * The search's random source: SplitMix64 (Steele, Lea and Flood, 2014), chosen over {@link java.util.Random} because
 * its whole state is one {@code long}, so a run is reproducible from its seed on every JVM. Not thread-safe: each
 * search run owns one and draws from it on the run's own thread only.
 */
final class SearchRandom {

    private long state;

    SearchRandom(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = state += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, 1)}. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in {@code [0, bound)}; {@code bound} must be positive. */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, was " + bound);
        }
        return (int) Math.floorMod(nextLong(), (long) bound);
    }

    /** True with probability {@code probability}. */
    boolean chance(double probability) {
        return nextDouble() < probability;
    }
}
