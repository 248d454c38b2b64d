package dev.reasoningsdk.impl.onnx.hf.internal;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntPredicate;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods on template strings, as jinja2 exposes them: {@code strip}, {@code lstrip},
 * {@code rstrip} (with or without characters), {@code split} and {@code rsplit} (on white space or a separator,
 * with a limit), {@code splitlines}, {@code startswith} and {@code endswith} (a string or a list of them, as
 * Python's tuple), {@code replace} (with an optional count), {@code upper}, {@code lower}, {@code title},
 * {@code capitalize}, {@code find}, {@code rfind}, {@code count}, {@code join}, {@code isdigit}, {@code isspace},
 * {@code isalpha}, {@code isalnum}. Jinjava would otherwise call Java's methods of the same name where one exists
 * ({@code strip}, {@code split}, whose semantics differ: Java's split takes a regular expression and drops trailing
 * empty strings) and fail on the rest. First in {@link HuggingFaceJinja}'s resolver chain; resolves nothing else.
 */
public final class PythonStringMethods extends ELResolver {

    private static final Set<String> METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
            "startswith", "endswith", "replace", "upper", "lower", "title", "capitalize", "find", "rfind", "count",
            "join", "isdigit", "isspace", "isalpha", "isalnum");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof CharSequence) || method == null || !METHODS.contains(method.toString())) {
            return null;
        }
        Object result = call(base.toString(), method.toString(), params == null ? new Object[0] : params);
        context.setPropertyResolved(true);
        return result;
    }

    /** Calls Python's {@code str.<method>(*args)} on {@code s}. */
    static Object call(String s, String method, Object[] args) {
        return switch (method) {
            case "strip" -> strip(s, chars(args, 0), true, true);
            case "lstrip" -> strip(s, chars(args, 0), true, false);
            case "rstrip" -> strip(s, chars(args, 0), false, true);
            case "split" -> split(s, string(args, 0), limit(args, 1), false);
            case "rsplit" -> split(s, string(args, 0), limit(args, 1), true);
            case "splitlines" -> splitLines(s);
            case "startswith" -> affix(s, args, true);
            case "endswith" -> affix(s, args, false);
            case "replace" -> replace(s, required(args, 0, method), required(args, 1, method), limit(args, 2));
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "find" -> (long) s.indexOf(required(args, 0, method));
            case "rfind" -> (long) s.lastIndexOf(required(args, 0, method));
            case "count" -> count(s, required(args, 0, method));
            case "join" -> join(s, args);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(PythonValues::isSpace);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.chars().allMatch(Character::isLetterOrDigit);
            default -> throw new IllegalStateException("unlisted method " + method);
        };
    }

    private static String strip(String s, String chars, boolean left, boolean right) {
        IntPredicate drop = chars == null ? PythonValues::isSpace : c -> chars.indexOf(c) >= 0;
        int start = 0;
        int end = s.length();
        while (left && start < end && drop.test(s.charAt(start))) {
            start++;
        }
        while (right && end > start && drop.test(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** {@code str.split(sep, maxsplit)}; {@code rsplit} counts the limit from the right. */
    private static List<String> split(String s, String separator, int limit, boolean fromRight) {
        if (separator != null && separator.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            // Runs of white space separate; leading and trailing white space gives no empty strings.
            List<int[]> words = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && PythonValues.isSpace(s.charAt(i))) {
                    i++;
                }
                int start = i;
                while (i < s.length() && !PythonValues.isSpace(s.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    words.add(new int[] {start, i});
                }
            }
            if (limit < 0 || words.size() <= limit + 1) {
                words.forEach(w -> parts.add(s.substring(w[0], w[1])));
                return parts;
            }
            if (fromRight) {
                int keep = words.size() - limit;
                parts.add(strip(s.substring(0, words.get(keep - 1)[1]), null, true, false));
                words.subList(keep, words.size()).forEach(w -> parts.add(s.substring(w[0], w[1])));
            } else {
                words.subList(0, limit).forEach(w -> parts.add(s.substring(w[0], w[1])));
                parts.add(strip(s.substring(words.get(limit)[0]), null, false, true));
            }
            return parts;
        }
        if (fromRight) {
            int end = s.length();
            for (int splits = 0; limit < 0 || splits < limit; splits++) {
                int at = s.lastIndexOf(separator, end - separator.length());
                if (at < 0) {
                    break;
                }
                parts.add(0, s.substring(at + separator.length(), end));
                end = at;
            }
            parts.add(0, s.substring(0, end));
            return parts;
        }
        int start = 0;
        int splits = 0;
        int at;
        while ((limit < 0 || splits < limit) && (at = s.indexOf(separator, start)) >= 0) {
            parts.add(s.substring(start, at));
            start = at + separator.length();
            splits++;
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** {@code str.splitlines()}: no final empty string after a trailing line break, nothing for "". */
    private static List<String> splitLines(String s) {
        String breaks = "\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029";
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (breaks.indexOf(s.charAt(i)) >= 0) {
                lines.add(s.substring(start, i));
                if (s.charAt(i) == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    private static boolean affix(String s, Object[] args, boolean prefix) {
        Object wanted = args.length > 0 ? args[0] : null;
        if (wanted instanceof Iterable<?> options) {
            for (Object option : options) {
                if (affix(s, new Object[] {option}, prefix)) {
                    return true;
                }
            }
            return false;
        }
        if (!(wanted instanceof CharSequence affix)) {
            throw new IllegalArgumentException((prefix ? "startswith" : "endswith")
                    + " first arg must be str or a tuple of str, was " + wanted);
        }
        return prefix ? s.startsWith(affix.toString()) : s.endsWith(affix.toString());
    }

    private static String replace(String s, String old, String replacement, int limit) {
        if (limit < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int done = 0; done < limit; done++) {
            int at = s.indexOf(old, start);
            if (at < 0 || (old.isEmpty() && at > s.length())) {
                break;
            }
            out.append(s, start, at).append(replacement);
            if (old.isEmpty()) {
                if (at < s.length()) {
                    out.append(s.charAt(at));
                }
                start = at + 1;
                if (start > s.length()) {
                    return out.toString();
                }
            } else {
                start = at + old.length();
            }
        }
        return out.append(s.substring(Math.min(start, s.length()))).toString();
    }

    /** Python's {@code str.title()}: a letter after a non-letter is upper case, any other letter lower case. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }

    private static long count(String s, String part) {
        if (part.isEmpty()) {
            return s.length() + 1L;
        }
        long count = 0;
        for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    private static String join(String separator, Object[] args) {
        StringBuilder out = new StringBuilder();
        Iterator<Object> items = PythonValues.toList(args.length > 0 ? args[0] : null).iterator();
        while (items.hasNext()) {
            Object item = items.next();
            if (!(item instanceof CharSequence)) {
                throw new IllegalArgumentException("join expects strings, found " + item);
            }
            out.append(item);
            if (items.hasNext()) {
                out.append(separator);
            }
        }
        return out.toString();
    }

    private static String chars(Object[] args, int index) {
        return args.length > index && args[index] != null ? args[index].toString() : null;
    }

    private static String string(Object[] args, int index) {
        return chars(args, index);
    }

    private static String required(Object[] args, int index, String method) {
        if (args.length <= index || args[index] == null) {
            throw new IllegalArgumentException(method + "() needs argument " + (index + 1));
        }
        return args[index].toString();
    }

    private static int limit(Object[] args, int index) {
        if (args.length <= index || args[index] == null) {
            return -1;
        }
        return Math.toIntExact(((Number) args[index]).longValue());
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // Resolves method calls only.
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
