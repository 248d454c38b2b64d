package dev.reasoningsdk.impl.onnx.hf.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}, each option settable
 * by name ({@code x|tojson(indent=4)}). So {@code {"a": [1, "é"]}} becomes {@code {"a": [1, "é"]}} with Python's
 * {@code ", "} and {@code ": "} separators and no HTML escaping, unlike Jinjava's own {@code tojson} (Jackson,
 * compact). Maps keep their order, as Python dicts do.
 */
public final class PythonJson implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
        boolean ensureAscii = Boolean.TRUE.equals(kwargs.get("ensure_ascii"));
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        String itemSeparator = indent == null ? ", " : ",";
        String keySeparator = ": ";
        if (kwargs.get("separators") instanceof List<?> separators && separators.size() == 2) {
            itemSeparator = String.valueOf(separators.get(0));
            keySeparator = String.valueOf(separators.get(1));
        }
        String indentText = indent == null ? null
                : indent instanceof Number n ? " ".repeat(Math.max(0, n.intValue())) : indent.toString();
        return dumps(var, new Style(ensureAscii, indentText, itemSeparator, keySeparator, sortKeys));
    }

    /** {@code json.dumps(value)} with Python's defaults as Hugging Face sets them ({@code ensure_ascii=False}). */
    public static String dumps(Object value) {
        return dumps(value, new Style(false, null, ", ", ": ", false));
    }

    private record Style(boolean ensureAscii, String indent, String itemSeparator, String keySeparator,
                         boolean sortKeys) {
    }

    private static String dumps(Object value, Style style) {
        StringBuilder out = new StringBuilder();
        write(out, value, style, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, Style style, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "true" : "false");
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof Number number) {
            out.append(floatRepr(number));
        } else if (value instanceof CharSequence || value instanceof Character) {
            string(out, value.toString(), style.ensureAscii());
        } else if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (style.sortKeys()) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            container(out, '{', '}', entries.size(), style, depth, i -> {
                Map.Entry<?, ?> entry = entries.get(i);
                string(out, String.valueOf(entry.getKey()), style.ensureAscii());
                out.append(style.keySeparator());
                write(out, entry.getValue(), style, depth + 1);
            });
        } else if (value instanceof Collection<?> || value.getClass().isArray()) {
            List<Object> items = PythonValues.toList(value);
            container(out, '[', ']', items.size(), style, depth, i -> write(out, items.get(i), style, depth + 1));
        } else {
            throw new IllegalArgumentException("Object of type " + value.getClass().getSimpleName()
                    + " is not JSON serializable");
        }
    }

    private interface Item {
        void write(int index);
    }

    private static void container(StringBuilder out, char open, char close, int size, Style style, int depth,
                                  Item item) {
        out.append(open);
        if (size == 0) {
            out.append(close);
            return;
        }
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                out.append(style.itemSeparator());
            }
            if (style.indent() != null) {
                out.append('\n').append(style.indent().repeat(depth + 1));
            }
            item.write(i);
        }
        if (style.indent() != null) {
            out.append('\n').append(style.indent().repeat(depth));
        }
        out.append(close);
    }

    /** Python's {@code float.__repr__}: shortest round-trip digits, {@code 1.0}, {@code 1e-05}, {@code 1e+16}. */
    private static String floatRepr(Number number) {
        double d = number.doubleValue();
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = shortest.precision() - shortest.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = shortest.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + String.format("%02d", Math.abs(exponent));
        }
        String plain = shortest.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    private static void string(StringBuilder out, String s, boolean ensureAscii) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
