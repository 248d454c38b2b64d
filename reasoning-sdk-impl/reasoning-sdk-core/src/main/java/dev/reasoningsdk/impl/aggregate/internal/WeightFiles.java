package dev.reasoningsdk.impl.aggregate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.internal.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;

/**
 * Reading the aggregate package's JSON weight files (the learned verifier, the process-reward head): from a path with
 * the file named in any error, from a shipped resource, their numeric arrays, and the check of a standardised
 * logistic head's parameters that both weight types make. Not API.
 */
public final class WeightFiles {

    /** Parses weights from a stream. */
    @FunctionalInterface
    public interface Parser<T> {
        /** @throws IllegalArgumentException if the content is not valid weights */
        T read(InputStream in) throws IOException;
    }

    /** Reads weights from their JSON tree. */
    @FunctionalInterface
    public interface TreeParser<T> {
        /** @throws IllegalArgumentException if the tree is not valid weights */
        T read(JsonNode root) throws IOException;
    }

    private WeightFiles() {
    }

    /**
     * Reads one JSON value from {@code in} with {@code json} and parses it. JSON that is malformed (a truncated or
     * corrupt file, a bare {@code NaN}, anything after the value) or a field Jackson cannot bind (a training record
     * that is not an object) is an {@link IllegalArgumentException}, like every other way a weights file can be
     * wrong, rather than a Jackson exception that names no field the caller knows.
     *
     * @param what names the file kind in the error, e.g. "learned-verifier file"
     * @throws IOException if the stream cannot be read
     */
    public static <T> T parse(InputStream in, ObjectMapper json, String what, TreeParser<T> parser)
            throws IOException {
        try {
            return parser.read(json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(in));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid JSON of its format: " + e.getOriginalMessage(),
                    e);
        }
    }

    /**
     * Reads {@code file}; an {@link IllegalArgumentException} gets the file's name in front of its message. A
     * directory, FIFO or device is refused before it is opened (a FIFO would block the read forever).
     */
    public static <T> T read(Path file, Parser<T> parser) throws IOException {
        try (InputStream in = Files.newInputStream(TextFiles.requireRegularFile(file))) {
            return parser.read(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the resource {@code name} beside {@code anchor}.
     *
     * @throws IllegalStateException if it is missing (a packaging error)
     */
    public static <T> T resource(Class<?> anchor, String name, String what, Parser<T> parser) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(what + " resource not found: " + name);
            }
            return parser.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** The array {@code field} of {@code root}; {@code what} names the file kind in the error. */
    public static JsonNode array(JsonNode root, String field, String what) {
        JsonNode node = root.get(field);
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(what + " lacks the array '" + field + "'");
        }
        return node;
    }

    /**
     * Checks a standardised logistic head's parameters, of equal lengths: every mean and coefficient finite, every
     * scale finite and positive, the bias finite.
     *
     * @param position names entry {@code i} in the message, e.g. "at index 3" or "for steps"
     * @throws IllegalArgumentException naming the first bad entry, or the bias
     */
    public static void requireFiniteHead(double[] mean, double[] scale, double[] coefficients, double bias,
                                         IntFunction<String> position) {
        for (int i = 0; i < coefficients.length; i++) {
            if (!Double.isFinite(mean[i]) || !Double.isFinite(coefficients[i]) || !(scale[i] > 0)
                    || !Double.isFinite(scale[i])) {
                throw new IllegalArgumentException("non-finite parameter or non-positive scale "
                        + position.apply(i));
            }
        }
        if (!Double.isFinite(bias)) {
            throw new IllegalArgumentException("bias is not finite: " + bias);
        }
    }

    /** The numbers of the array {@code field}. */
    public static double[] doubles(JsonNode root, String field, String what) {
        JsonNode node = array(root, field, what);
        double[] values = new double[node.size()];
        for (int i = 0; i < values.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException("'" + field + "'[" + i + "] is not a number");
            }
            values[i] = node.get(i).asDouble();
        }
        return values;
    }
}
