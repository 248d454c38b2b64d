package dev.reasoningsdk.impl.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A prompt cut into edit units, line by line. Edits move, drop and replace units within and across lines, but never
 * add or remove a line: a prompt whose lines carry structure (one label description per line) keeps it.
 *
 * @param lines the units of each line, in order; a line may be empty only if it was empty in the source text
 */
record EditUnits(List<List<String>> lines) {

    EditUnits {
        List<List<String>> copy = new ArrayList<>(lines.size());
        for (List<String> line : lines) {
            copy.add(List.copyOf(line));
        }
        lines = List.copyOf(copy);
    }

    /** The prompt text: units joined by a space, lines by a newline. */
    String text() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                text.append('\n');
            }
            text.append(String.join(" ", lines.get(i)));
        }
        return text.toString();
    }

    /** Number of units over all lines. */
    int size() {
        int size = 0;
        for (List<String> line : lines) {
            size += line.size();
        }
        return size;
    }

    /** The unit at flat position {@code index} (lines concatenated). */
    String unit(int index) {
        int[] at = locate(index);
        return lines.get(at[0]).get(at[1]);
    }

    /** The line that holds flat position {@code index}. */
    int lineOf(int index) {
        return locate(index)[0];
    }

    EditUnits without(int index) {
        int[] at = locate(index);
        return edit(at[0], line -> line.remove(at[1]));
    }

    EditUnits replaced(int index, String unit) {
        int[] at = locate(index);
        return edit(at[0], line -> line.set(at[1], unit));
    }

    EditUnits inserted(int line, int position, String unit) {
        return edit(line, units -> units.add(position, unit));
    }

    EditUnits swapped(int first, int second) {
        int[] a = locate(first);
        int[] b = locate(second);
        List<List<String>> copy = mutableLines();
        String unitA = copy.get(a[0]).get(a[1]);
        copy.get(a[0]).set(a[1], copy.get(b[0]).get(b[1]));
        copy.get(b[0]).set(b[1], unitA);
        return new EditUnits(copy);
    }

    /**
     * Segment {@code segment} of {@code segments} of every line: the units from {@code ceil(s*L/k)} up to (not
     * including) {@code ceil((s+1)*L/k)} of a line of {@code L} units, so the segments partition each line.
     */
    EditUnits segment(int segment, int segments) {
        List<List<String>> parts = new ArrayList<>(lines.size());
        for (List<String> line : lines) {
            int size = line.size();
            int from = ceilDiv(segment * size, segments);
            int to = ceilDiv((segment + 1) * size, segments);
            parts.add(line.subList(from, to));
        }
        return new EditUnits(parts);
    }

    /** Line-wise concatenation: line {@code i} of the result is line {@code i} of each part in turn. */
    static EditUnits concat(List<EditUnits> parts) {
        int lineCount = parts.get(0).lines.size();
        List<List<String>> joined = new ArrayList<>(lineCount);
        for (int i = 0; i < lineCount; i++) {
            List<String> line = new ArrayList<>();
            for (EditUnits part : parts) {
                if (part.lines.size() != lineCount) {
                    throw new IllegalArgumentException("parts differ in line count");
                }
                line.addAll(part.lines.get(i));
            }
            joined.add(line);
        }
        return new EditUnits(joined);
    }

    /** Whether every non-empty line, and so the whole text, contains at least one letter. */
    boolean hasLetterOnEveryLine() {
        boolean any = false;
        for (List<String> line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            boolean letter = line.stream().anyMatch(EditUnits::containsLetter);
            if (!letter) {
                return false;
            }
            any = true;
        }
        return any;
    }

    static boolean containsLetter(String text) {
        return text.codePoints().anyMatch(Character::isLetter);
    }

    private int[] locate(int index) {
        Objects.checkIndex(index, size());
        int rest = index;
        for (int i = 0; i < lines.size(); i++) {
            int size = lines.get(i).size();
            if (rest < size) {
                return new int[] {i, rest};
            }
            rest -= size;
        }
        throw new IndexOutOfBoundsException(index);
    }

    private EditUnits edit(int line, java.util.function.Consumer<List<String>> change) {
        List<List<String>> copy = mutableLines();
        change.accept(copy.get(line));
        return new EditUnits(copy);
    }

    private List<List<String>> mutableLines() {
        List<List<String>> copy = new ArrayList<>(lines.size());
        for (List<String> units : lines) {
            copy.add(new ArrayList<>(units));
        }
        return copy;
    }

    private static int ceilDiv(int numerator, int denominator) {
        return -Math.floorDiv(-numerator, denominator);
    }
}
