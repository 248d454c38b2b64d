package dev.reasoningsdk.impl.internal;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by this package's builders, so that the same setting fails the same way everywhere. */
public final class Arguments {

    private Arguments() {
    }

    /** @throws IllegalArgumentException if {@code temperature} is negative, NaN or infinite */
    public static double temperature(double temperature) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, was " + temperature);
        }
        return temperature;
    }

    /**
     * @throws NullPointerException     if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is zero or negative
     */
    public static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + duration);
        }
        return duration;
    }
}
