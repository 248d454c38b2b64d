package dev.reasoningsdk.impl.prompt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Finds the JSON object in a model reply: models wrap it in prose or code fences, so the first balanced
 * {@code {...}} (braces inside strings ignored) that parses as an object is taken.
 */
final class JsonReplies {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonReplies() {
    }

    static Optional<ObjectNode> firstObject(String reply) {
        for (int start = reply.indexOf('{'); start >= 0; start = reply.indexOf('{', start + 1)) {
            int end = matchingBrace(reply, start);
            if (end < 0) {
                return Optional.empty();
            }
            try {
                JsonNode node = JSON.readTree(reply.substring(start, end + 1));
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

    private static int matchingBrace(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
