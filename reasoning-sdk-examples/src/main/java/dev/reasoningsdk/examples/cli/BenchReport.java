package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.reasoningsdk.api.Usage;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark's figures in insertion order, printed as one JSON object ({@code --json}) or as an indented table.
 * Values may be numbers, strings, booleans, lists and nested maps (nested reports print as nested objects).
 * Not thread-safe: one benchmark fills one report.
 */
public final class BenchReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, Object> figures = new LinkedHashMap<>();

    /** Adds or replaces a figure; returns this report. */
    public BenchReport put(String name, Object value) {
        figures.put(name, value instanceof BenchReport nested ? nested.figures : value);
        return this;
    }

    /** The figures, for tests. */
    public Map<String, Object> figures() {
        return figures;
    }

    /** The figures of a {@link Usage}: samples, model calls, failed calls, tokens and wall time. */
    public static BenchReport usage(Usage usage) {
        return new BenchReport()
                .put("samples", usage.samples())
                .put("model_calls", usage.modelCalls())
                .put("failed_calls", usage.failedCalls())
                .put("failures_by_kind", failuresByKind(usage))
                .put("cache_hits", usage.cacheHits())
                .put("input_tokens", usage.inputTokens())
                .put("output_tokens", usage.outputTokens())
                .put("wall_ms", usage.wallTime().toNanos() / 1e6);
    }

    /** The failed calls by why they failed ({@code rate_limited}, {@code timeout}, ...), in the enum's order. */
    private static Map<String, Integer> failuresByKind(Usage usage) {
        Map<String, Integer> byKind = new LinkedHashMap<>();
        new java.util.TreeMap<>(usage.failuresByKind()).forEach((kind, count) ->
                byKind.put(kind.name().toLowerCase(java.util.Locale.ROOT), count));
        return byKind;
    }

    /** Prints JSON or a table to {@code out}. */
    public void print(PrintStream out, boolean json) {
        if (json) {
            try {
                out.println(JSON.writeValueAsString(figures));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("benchmark figures are not serialisable", e);
            }
        } else {
            printTable(out, figures, "");
        }
        out.flush();
    }

    private static void printTable(PrintStream out, Map<?, ?> map, String indent) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested) {
                out.println(indent + entry.getKey() + ":");
                printTable(out, nested, indent + "  ");
            } else if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?>) {
                out.println(indent + entry.getKey() + ":");
                for (Object item : list) {
                    out.println(indent + "  -");
                    printTable(out, (Map<?, ?>) item, indent + "    ");
                }
            } else {
                out.printf("%s%-32s %s%n", indent, entry.getKey(), format(value));
            }
        }
    }

    private static String format(Object value) {
        if (value instanceof Double d) {
            return String.format(java.util.Locale.ROOT, "%.4f", d);
        }
        return String.valueOf(value);
    }
}
