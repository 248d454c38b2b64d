package dev.reasoningsdk.impl.prompt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Finds the JSON object in a model reply: models wrap it in prose or code fences, so the first balanced
 * {@code {...}} (braces inside strings ignored) that parses as an object is taken; a brace whose scan never
 * balances ends the search.
 *
 * <p>A reasoning model's think blocks are skipped ({@link ThinkBlocks}): a JSON object drafted while thinking is not
 * its reply, and a reply cut off while thinking has none.
 *
 * <p>Reads at most the first {@value ReplyWindow#MAX_CHARS} characters of a reply (see {@link ReplyWindow}). Which
 * braces balance is found in one pass over them, not in one scan per brace; each brace is then parsed only up to
 * its first error (Jackson's nesting limit bounds how deep a parse that fails late can go).
 */
final class JsonReplies {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int OUTSIDE = 0;
    private static final int IN_STRING = 1;
    private static final int ESCAPED = 2;

    private JsonReplies() {
    }

    static Optional<ObjectNode> firstObject(String reply) {
        char[] text = ThinkBlocks.answerHead(reply).toCharArray();
        boolean[] balanced = balancedBraces(text);
        for (int start = 0; start < text.length; start++) {
            if (text[start] != '{') {
                continue;
            }
            if (!balanced[start]) {
                return Optional.empty();
            }
            // A valid object from this brace ends at its balancing brace (JSON lexes strings as the scan does), so
            // parsing the rest of the text reads what parsing up to that brace would, and stops at the first error.
            try (JsonParser parser = JSON.getFactory().createParser(text, start, text.length - start)) {
                JsonNode node = JSON.readTree(parser);
                if (node instanceof ObjectNode object) {
                    return Optional.of(object);
                }
            } catch (java.io.IOException e) {
                // not JSON from this brace: try the next one
            }
        }
        return Optional.empty();
    }

    static String pretty(JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a parsed JSON node cannot be written", e);
        }
    }

    /**
     * For each opening brace of {@code text}, whether the scan that starts there (string quotes and backslash escapes
     * honoured from that brace on) returns to depth 0. Scanning from every brace would be quadratic; instead scans
     * run side by side, and two scans in the same state (outside a string, in one, after a backslash) at the same
     * character stay in step from then on, so they merge: at most three are ever live. A scan keeps a stack of
     * levels; each level holds the braces (merged with union-find) whose own scan closes when that level closes.
     */
    static boolean[] balancedBraces(char[] text) {
        int[] parent = new int[text.length];
        Arrays.fill(parent, -1);
        boolean[] closedRoot = new boolean[text.length];
        List<Scan> scans = new ArrayList<>(4);
        for (int i = 0; i < text.length; i++) {
            char c = text[i];
            Scan outside = null;
            for (Scan scan : scans) {
                if (scan.state == OUTSIDE) {
                    outside = scan;
                }
                scan.state = next(scan.state, c);
            }
            if (c == '{') {
                parent[i] = i;
                if (outside == null) {
                    outside = new Scan();
                    scans.add(outside);
                }
                outside.levels.add(i);
            } else if (c == '}' && outside != null && !outside.levels.isEmpty()) {
                closedRoot[find(parent, outside.levels.remove(outside.levels.size() - 1))] = true;
            }
            merge(scans, parent);
        }
        boolean[] balanced = new boolean[text.length];
        for (int i = 0; i < text.length; i++) {
            balanced[i] = parent[i] >= 0 && closedRoot[find(parent, i)];
        }
        return balanced;
    }

    private static int next(int state, char c) {
        return switch (state) {
            case OUTSIDE -> c == '"' ? IN_STRING : OUTSIDE;
            case IN_STRING -> c == '\\' ? ESCAPED : c == '"' ? OUTSIDE : IN_STRING;
            default -> IN_STRING;
        };
    }

    /**
     * Merges the scans that are in the same state: their future is the same, so level k from the top of one closes
     * with level k from the top of the other. Scans with no open brace left are dropped. Each merged level is one
     * level fewer, so merging costs at most the number of braces overall.
     */
    private static void merge(List<Scan> scans, int[] parent) {
        scans.removeIf(scan -> scan.levels.isEmpty());
        for (int a = 0; a < scans.size(); a++) {
            for (int b = scans.size() - 1; b > a; b--) {
                Scan first = scans.get(a);
                Scan second = scans.get(b);
                if (first.state != second.state) {
                    continue;
                }
                Scan large = first.levels.size() >= second.levels.size() ? first : second;
                Scan small = large == first ? second : first;
                for (int k = 1; k <= small.levels.size(); k++) {
                    int at = large.levels.size() - k;
                    int root = find(parent, large.levels.get(at));
                    int other = find(parent, small.levels.get(small.levels.size() - k));
                    parent[other] = root;
                    large.levels.set(at, root);
                }
                scans.set(a, large);
                scans.remove(b);
            }
        }
    }

    private static int find(int[] parent, int brace) {
        int root = brace;
        while (parent[root] != root) {
            root = parent[root];
        }
        for (int i = brace; parent[i] != root; ) {
            int up = parent[i];
            parent[i] = root;
            i = up;
        }
        return root;
    }

    /** One or more merged brace scans: their shared state and their open levels, bottom first. */
    private static final class Scan {
        private int state = OUTSIDE;
        private final List<Integer> levels = new ArrayList<>();
    }
}
