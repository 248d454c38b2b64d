package dev.reasoningsdk.impl.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.internal.JsonLines;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One labelled request for training or evaluating a head.
 *
 * @param text  the request text
 * @param label whether the criterion holds for it
 */
public record LabelledText(String text, boolean label) {

    /** @throws NullPointerException if text is null */
    public LabelledText {
        Objects.requireNonNull(text, "text");
    }

    /**
     * Reads the rows of a JSONL file that have a boolean label, in file order. Rows whose label is {@code null}
     * (the data's "unlabelled" marker) are skipped.
     *
     * @throws IllegalArgumentException naming the line when a row is not JSON, lacks the text field, or has a label
     *                                  that is neither boolean nor null; or when no row is labelled
     */
    public static List<LabelledText> readJsonl(Path file, String textField, String labelField) throws IOException {
        Objects.requireNonNull(textField, "textField");
        Objects.requireNonNull(labelField, "labelField");
        List<LabelledText> rows = new ArrayList<>();
        for (JsonLines.Row row : JsonLines.read(file)) {
            JsonNode text = row.node().get(textField);
            if (text == null || !text.isTextual()) {
                throw new IllegalArgumentException(file + ":" + row.line() + ": no text field '" + textField + "'");
            }
            JsonNode label = row.node().get(labelField);
            if (label == null || label.isNull()) {
                continue;
            }
            if (!label.isBoolean()) {
                throw new IllegalArgumentException(file + ":" + row.line() + ": label '" + labelField
                        + "' is not true/false/null: " + label);
            }
            rows.add(new LabelledText(text.asText(), label.asBoolean()));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": no row has a boolean '" + labelField + "'");
        }
        return rows;
    }

    /** SHA-256 of a file's bytes, in lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
