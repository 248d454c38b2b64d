package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * GSM8K questions with four real model solutions each ({@code gsm8k/model-solutions-dev.jsonl}: GPT-3 6B and 175B,
 * fine-tuned and verifier-selected), read as chains with the gold answer.
 *
 * @param question the question
 * @param gold     the normalised gold answer
 * @param chains   the four solutions, each with its source name
 */
record ModelSolutions(String question, String gold, List<ReasoningChain> chains) {

    static final List<String> SOURCES = List.of("6b_finetuning", "6b_verification", "175b_finetuning",
            "175b_verification");

    /** The GSM8K test questions with their four model solutions, in the data folders' layout. */
    static final String DEFAULT_FILE = "data/gsm8k/model-solutions-dev.jsonl";

    /**
     * Reads up to {@code limit} rows.
     *
     * @throws IllegalArgumentException naming the file and line of a row that is not a model-solutions row, or the
     *                                  file if it holds none
     */
    static List<ModelSolutions> read(Path file, int limit) throws IOException {
        List<ModelSolutions> rows = new ArrayList<>();
        for (JsonLines.Row line : JsonLines.read(file)) {
            if (rows.size() >= limit) {
                break;
            }
            rows.add(parse(line.node(), file + " line " + line.line()));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no rows");
        }
        return rows;
    }

    /**
     * One row: its question (text), its gold answer (read from {@code ground_truth}) and the four solutions.
     *
     * @param where names the row in an error, e.g. the file and line
     * @throws IllegalArgumentException naming {@code where} and the field that is missing, blank or not text, or
     *                                  that holds the solution of a source other than the four
     */
    static ModelSolutions parse(JsonNode row, String where) {
        // A row without its question would be scored with an empty one, and counted as a question the learned
        // verifier never saw.
        if (!row.path("question").isTextual() || row.path("question").asText().isBlank()) {
            throw new IllegalArgumentException(where + ": no question (a non-blank string)");
        }
        // Another model's solution would be left out of every figure without a word.
        for (Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!SOURCES.contains(name) && row.path(name).has("solution")) {
                throw new IllegalArgumentException(where + ": " + name + " holds a solution, but model solutions are "
                        + "read from " + String.join(", ", SOURCES) + " only; write other models' chains as labelled "
                        + "chains (question, answer, chains of text and source)");
            }
        }
        String gold = AnswerExtractors.numeric().extract(row.path("ground_truth").asText("")).orElseThrow(
                () -> new IllegalArgumentException(where + ": no gold answer"));
        List<ReasoningChain> chains = new ArrayList<>();
        for (String source : SOURCES) {
            JsonNode solution = row.path(source).path("solution");
            if (!solution.isTextual()) {
                throw new IllegalArgumentException(where + ": no " + source + " solution");
            }
            chains.add(ReasoningChain.of(solution.asText(), source));
        }
        return new ModelSolutions(row.path("question").asText(), gold, chains);
    }
}
