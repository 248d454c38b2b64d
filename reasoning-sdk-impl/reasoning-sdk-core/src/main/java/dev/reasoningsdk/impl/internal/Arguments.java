package dev.reasoningsdk.impl.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by the builders, so that the same setting fails the same way everywhere: an
 * {@link IllegalArgumentException} naming the option and the value it was given. Not API.
 */
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

    /** @throws IllegalArgumentException naming {@code name} if {@code value < min} */
    public static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /** The {@code long} form of {@link #atLeast(int, int, String)}, for token counts. */
    public static long atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException naming {@code name} if {@code value} is not in [0, 1] (NaN included) */
    public static double probability(double value, String name) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], was " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException naming {@code name} if {@code value} is not in (0, 1) (NaN included) */
    public static double openUnit(double value, String name) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1), was " + value);
        }
        return value;
    }

    /**
     * A copy of a grid of penalties to choose from.
     *
     * @throws IllegalArgumentException naming {@code name} if it is empty or a value is negative or not finite
     */
    public static double[] nonNegativeGrid(double[] grid, String name) {
        java.util.Objects.requireNonNull(grid, name);
        if (grid.length == 0) {
            throw new IllegalArgumentException(name + " is empty");
        }
        for (double value : grid) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(name + " values must be finite and >= 0, was " + value);
            }
        }
        return grid.clone();
    }

    /** @throws IllegalArgumentException naming {@code name} if {@code value} is not finite and > 0 */
    public static double positive(double value, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, was " + value);
        }
        return value;
    }

    /**
     * @throws NullPointerException     if {@code url} is null
     * @throws IllegalArgumentException naming {@code name} if {@code url} is not an absolute http or https URL
     */
    public static String httpUrl(String url, String name) {
        Objects.requireNonNull(url, name);
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                throw new IllegalArgumentException(name + " must be an absolute http(s) URL, was '" + url + "'");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a URL: '" + url + "'", e);
        }
        return url;
    }

    /**
     * @throws NullPointerException     if {@code value} is null
     * @throws IllegalArgumentException naming {@code name} if {@code value} is blank
     */
    public static String notBlank(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
        return value;
    }
}
