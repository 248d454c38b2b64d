package dev.reasoningsdk.impl.retrieval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rows of a JSONL file with their line numbers, blank lines skipped; a line that is not JSON is named. */
final class JsonlRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlRows() {
    }

    /**
     * One parsed line.
     *
     * @param line the 1-based line number
     * @param node the parsed JSON
     */
    record Row(int line, JsonNode node) {
    }

    /** @throws IllegalArgumentException naming the file and line of the first line that is not JSON */
    static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(new Row(number, JSON.readTree(line)));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": not JSON: " + e.getOriginalMessage(), e);
                }
            }
        }
        return rows;
    }
}
