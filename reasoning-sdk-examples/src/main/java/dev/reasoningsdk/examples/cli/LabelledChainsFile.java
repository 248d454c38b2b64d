package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled chains in JSON lines, the format {@code verifier sample} writes and {@code verifier train --data} reads
 * beside GSM8K's model solutions: one question per line, {@code {"question": ..., "answer": gold, "chains":
 * [{"text": ..., "source": ...}, ...]}}, any number of chains from any sources ({@code source} defaults to
 * {@value #DEFAULT_SOURCE}). This is how a verifier is trained for a user's own model: its sampled chains on
 * questions with known answers.
 */
final class LabelledChainsFile {

    /** The source of a chain that names none. */
    static final String DEFAULT_SOURCE = "model";

    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelledChainsFile() {
    }

    /** Whether {@code row} is in this format (it has a {@code chains} field) rather than GSM8K's model solutions. */
    static boolean isLabelledChains(JsonNode row) {
        return row.has("chains");
    }

    /**
     * Every row of {@code file}.
     *
     * @throws IllegalArgumentException naming the line that lacks a question, an answer or a chain with text, or
     *                                  if the file holds no rows
     */
    static List<VerifierTrainer.LabelledChains> read(Path file) throws IOException {
        List<VerifierTrainer.LabelledChains> questions = new ArrayList<>();
        for (JsonLines.Row line : JsonLines.read(file)) {
            JsonNode row = line.node();
            String where = file + " line " + line.line() + ": ";
            JsonNode question = row.path("question");
            JsonNode answer = row.path("answer");
            JsonNode chains = row.path("chains");
            if (!question.isTextual() || question.asText().isBlank()) {
                throw new IllegalArgumentException(where + "no question (a non-blank string)");
            }
            if (!(answer.isTextual() || answer.isNumber()) || answer.asText().isBlank()) {
                throw new IllegalArgumentException(where + "no gold answer (a string or a number)");
            }
            if (!chains.isArray() || chains.isEmpty()) {
                throw new IllegalArgumentException(where + "chains must be a non-empty array");
            }
            List<ReasoningChain> read = new ArrayList<>(chains.size());
            for (JsonNode chain : chains) {
                JsonNode source = chain.path("source");
                if (!chain.path("text").isTextual() || !(source.isMissingNode() || source.isTextual())) {
                    throw new IllegalArgumentException(where + "each chain needs a text string (and a source "
                            + "string, if any)");
                }
                read.add(ReasoningChain.of(chain.path("text").asText(), source.asText(DEFAULT_SOURCE)));
            }
            questions.add(new VerifierTrainer.LabelledChains(question.asText(), answer.asText(), read));
        }
        if (questions.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no rows");
        }
        return questions;
    }

    /** Writes {@code questions} to {@code file} atomically: a reader never sees half of it. */
    static void write(Path file, List<VerifierTrainer.LabelledChains> questions) throws IOException {
        StringBuilder text = new StringBuilder();
        for (VerifierTrainer.LabelledChains question : questions) {
            ObjectNode row = JSON.createObjectNode().put("question", question.question())
                    .put("answer", question.gold());
            ArrayNode chains = row.putArray("chains");
            question.chains().forEach(chain -> chains.addObject().put("text", chain.text())
                    .put("source", chain.source()));
            text.append(JSON.writeValueAsString(row)).append('\n');
        }
        TextFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
