package dev.reasoningsdk.impl.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.reasoningsdk.impl.DataFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSON-lines files (one JSON value per line, UTF-8, a byte order mark allowed), as the project's data, eval
 * problems and labelled sets come: every non-blank line parsed, with its 1-based line number so that a caller's
 * validation can name the line.
 */
public final class JsonLines {

    /**
     * Refuses what follows a line's value: without it, a line holding two rows (a lost line break) or a row and junk
     * was read as its first value alone, and the rest dropped without a word.
     */
    private static final ObjectReader JSON = new ObjectMapper().readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLines() {
    }

    /**
     * One parsed line.
     *
     * @param line the 1-based line number
     * @param node the parsed JSON
     */
    public record Row(int line, JsonNode node) {
    }

    /**
     * Every non-blank line of {@code file}, parsed. The file is read as {@link TextFiles#forEachLine} reads it: a
     * leading UTF-8 byte order mark is skipped.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws DataFileException                  if it is a directory or not UTF-8 (naming the line and byte)
     * @throws IllegalArgumentException          naming the file and line of the first line that is not one JSON
     *                                           value (a second value or anything else after the first included), or
     *                                           whose value is past the parser's limits (a string of over 20 million
     *                                           characters)
     */
    public static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        TextFiles.forEachLine(file, (number, line) -> {
            if (line.isBlank()) {
                return;
            }
            try {
                rows.add(new Row(number, JSON.readTree(line)));
            } catch (StreamConstraintsException e) {
                // Valid JSON past the parser's limits (a string of over 20 million characters, say) is not "not JSON".
                throw new IllegalArgumentException(file + ":" + number + ": a value too large to read: "
                        + e.getOriginalMessage(), e);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ":" + number + ": not JSON: " + e.getOriginalMessage(), e);
            }
        });
        return rows;
    }
}
