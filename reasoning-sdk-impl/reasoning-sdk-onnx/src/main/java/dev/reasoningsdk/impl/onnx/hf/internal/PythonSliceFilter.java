package dev.reasoningsdk.impl.onnx.hf.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code seq[start:stop:step]} with Python's semantics ({@code slice.indices}): on lists (and anything iterable)
 * and strings; a missing part is {@code null}. {@link PythonSyntaxBuilder} turns every slice into a call of it.
 */
public final class PythonSliceFilter implements Filter {

    /** The filter's name; a template may also call it as {@code xs|pyslice(1, none, 2)}. */
    public static final String NAME = "pyslice";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object[] parts = Arrays.copyOf(args, 3);
        if (var instanceof CharSequence text) {
            String string = text.toString();
            StringBuilder out = new StringBuilder();
            for (int index : indices(string.length(), parts)) {
                out.append(string.charAt(index));
            }
            return out.toString();
        }
        List<Object> items = PythonValues.toList(var);
        List<Object> out = new ArrayList<>();
        for (int index : indices(items.size(), parts)) {
            out.add(items.get(index));
        }
        return out;
    }

    /** The indices {@code range(*slice(start, stop, step).indices(length))} visits. */
    static int[] indices(int length, Object[] parts) {
        Integer step = integer(parts[2], "step");
        int by = step == null ? 1 : step;
        if (by == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        Integer start = integer(parts[0], "start");
        Integer stop = integer(parts[1], "stop");
        int from = by > 0 ? bound(start, length, 0, length) : bound(start, length, length - 1, length - 1);
        int to = by > 0 ? bound(stop, length, length, length) : bound(stop, length, -1, length - 1);
        int count = by > 0 ? Math.max(0, (to - from + by - 1) / by) : Math.max(0, (from - to - by - 1) / -by);
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = from + i * by;
        }
        return indices;
    }

    /** Python's clamping of one slice bound: negative counts from the end, then clipped. */
    private static int bound(Integer value, int length, int ifMissing, int upper) {
        if (value == null) {
            return ifMissing;
        }
        int index = value < 0 ? value + length : value;
        int lower = upper == length ? 0 : -1;
        return Math.max(lower, Math.min(index, upper));
    }

    private static Integer integer(Object value, String what) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number number) {
            return Math.toIntExact(number.longValue());
        }
        throw new IllegalArgumentException("slice " + what + " must be an integer or none, was " + value);
    }
}
