package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.internal.TextFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads texts with a boolean label from a JSON-lines data file, as {@code "true"} / {@code "false"} labels. */
final class LabeledJsonl {

    private LabeledJsonl() {
    }

    /** A text and its label. */
    record Example(String text, String label) {
    }

    /**
     * The first {@code limit} rows of {@code file}.
     *
     * @throws IllegalArgumentException naming the file and line of a row without the text, or whose label is not
     *                                  {@code true} or {@code false} (Jackson reads {@code "yes"}, {@code 1} or
     *                                  {@code null} as false, which silently made every such row a negative)
     */
    static List<Example> read(Path file, String textField, String labelField, int limit) throws IOException {
        TextFiles.requireRegularFile(file, "data file not found (use --data)");
        List<Example> examples = new ArrayList<>();
        for (JsonLines.Row line : JsonLines.read(file)) {
            if (examples.size() >= limit) {
                break;
            }
            JsonNode row = line.node();
            if (!row.hasNonNull(textField) || !row.has(labelField)) {
                throw new IllegalArgumentException(file + ":" + line.line() + ": the row lacks '" + textField
                        + "' or '" + labelField + "'");
            }
            if (!row.get(labelField).isBoolean()) {
                throw new IllegalArgumentException(file + ":" + line.line() + ": label '" + labelField + "' must be "
                        + "true or false, was " + row.get(labelField));
            }
            examples.add(new Example(row.get(textField).asText(),
                    String.valueOf(row.get(labelField).asBoolean()).toLowerCase(Locale.ROOT)));
        }
        return examples;
    }
}
