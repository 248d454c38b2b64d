package dev.reasoningsdk.impl.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads per-chain total scores out of a judge's reply, by chain number (never by position or key order, the AoR
 * reference code's flaw). Three readers, each filling only what the previous ones left missing: the requested
 * line {@code Chain N Total Score: X/10} (markdown emphasis tolerated); sections headed {@code Reasoning Chain N}
 * that end in {@code Total Score: X/10} (the rubric's example format); and a JSON object {@code {"1": 7}} or
 * {@code {"Chain 1": 7}} (the structured fallback). A score outside [0, 10] is ignored; the last score stated
 * for a chain wins.
 *
 * <p>A reasoning judge's think blocks are skipped ({@link ThinkBlocks}): scores drafted while thinking are not its
 * verdict, and a reply cut off while thinking holds none, so the judge is asked again as for a missing score.
 *
 * <p>Both readers read at most the first {@value ReplyWindow#MAX_CHARS} characters of a reply (see
 * {@link ReplyWindow}), in time linear in them: white space runs are matched possessively (nothing after one can
 * start with white space, so no match is lost), and a section header's leading run holds no line break, so a run
 * of newlines is not scanned again from each of its lines.
 */
final class JudgeReplyParser {

    private static final Pattern SCORE_LINE = Pattern.compile(
            "(?i)chain\\s*+#?\\s*+(\\d+)[\\s*_:)\\].-]{0,12}total\\s++score[\\s*_:=]{0,8}(\\d+(?:\\.\\d+)?)(?![\\d.])"
                    + "(?:\\s*+(?:/|out\\s++of)\\s*+(\\d+))?");
    /**
     * A section header at a line start. Its leading run excludes line breaks, so a header after blank lines is
     * matched from its own line (the same end as from the first blank line, and the section before it only gains
     * blanks and markdown, which no total score can end in).
     */
    private static final Pattern HEADER = Pattern.compile(
            "(?im)^[\\t\\x0B\\f #*_>-]*+(?:reasoning\\s++)?chain\\s*+#?\\s*+(\\d+)\\b");
    private static final Pattern SECTION_TOTAL = Pattern.compile(
            "(?i)total\\s++score[\\s*_:=]{0,8}(\\d+(?:\\.\\d+)?)\\s*+(?:/|out\\s++of)\\s*+(\\d+)");
    private static final Pattern JSON_OBJECT = Pattern.compile("\\{[^{}]*}");
    private static final Pattern KEY_NUMBER = Pattern.compile("(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private JudgeReplyParser() {
    }

    /**
     * Scores for chains {@code 1..count} found in the first {@value ReplyWindow#MAX_CHARS} characters of a free-text
     * reply outside its think blocks, keyed by chain number.
     */
    static Map<Integer, Double> parseText(String fullReply, int count) {
        String reply = ThinkBlocks.answerHead(fullReply);
        Map<Integer, Double> scores = new TreeMap<>();
        Matcher line = SCORE_LINE.matcher(reply);
        while (line.find()) {
            put(scores, line.group(1), line.group(2), line.group(3), count);
        }
        Matcher header = HEADER.matcher(reply);
        int previousStart = -1;
        String previousChain = null;
        while (true) {
            boolean found = header.find();
            if (previousChain != null) {
                String section = reply.substring(previousStart, found ? header.start() : reply.length());
                Matcher total = SECTION_TOTAL.matcher(section);
                String value = null;
                String scale = null;
                while (total.find()) {
                    value = total.group(1);
                    scale = total.group(2);
                }
                if (value != null) {
                    putIfAbsent(scores, previousChain, value, scale, count);
                }
            }
            if (!found) {
                break;
            }
            previousChain = header.group(1);
            previousStart = header.end();
        }
        return scores;
    }

    /**
     * Scores for chains {@code 1..count} from the first JSON object in the first {@value ReplyWindow#MAX_CHARS}
     * characters of {@code reply}; empty when there is none.
     */
    static Map<Integer, Double> parseJson(String reply, int count) {
        Map<Integer, Double> scores = new TreeMap<>();
        Matcher object = JSON_OBJECT.matcher(ThinkBlocks.answerHead(reply));
        while (object.find()) {
            JsonNode node;
            try {
                node = JSON.readTree(object.group());
            } catch (java.io.IOException notJson) {
                continue;
            }
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                Matcher key = KEY_NUMBER.matcher(field.getKey());
                if (key.find() && field.getValue().isNumber()) {
                    put(scores, key.group(1), field.getValue().asText(), null, count);
                }
            }
            if (!scores.isEmpty()) {
                break;
            }
        }
        return scores;
    }

    /** As {@link #put}, unless the chain already has a score. */
    private static void putIfAbsent(Map<Integer, Double> scores, String chain, String value, String scale,
                                    int count) {
        Map<Integer, Double> found = new TreeMap<>();
        put(found, chain, value, scale, count);
        found.forEach(scores::putIfAbsent);
    }

    private static void put(Map<Integer, Double> scores, String chain, String value, String scale, int count) {
        int number;
        double score;
        try {
            number = Integer.parseInt(chain);
            score = Double.parseDouble(value);
        } catch (NumberFormatException notANumber) {
            return;
        }
        if (scale != null && !scale.equals("10")) {
            return;
        }
        if (number >= 1 && number <= count && score >= 0 && score <= 10) {
            scores.put(number, score);
        }
    }
}
