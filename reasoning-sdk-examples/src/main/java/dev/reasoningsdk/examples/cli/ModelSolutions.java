package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.llm.NumericAnswerExtractor;
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

    private static final NumericAnswerExtractor MARKED = new NumericAnswerExtractor();

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
        String gold = gold(row.path("ground_truth"), where);
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

    /**
     * The gold answer of {@code groundTruth}: the number after its final answer marker ("A: N" as these rows end,
     * "#### N" as GSM8K's own files do, "The answer is N"), or the number it is alone.
     *
     * @throws IllegalArgumentException naming {@code where} if it is missing, or states no final answer: its last
     *                                  number, read instead, is not the answer of about 3% of GSM8K's worked
     *                                  solutions, and every chain of such a row would be scored wrong without a word
     */
    private static String gold(JsonNode groundTruth, String where) {
        if (!groundTruth.isTextual() && !groundTruth.isNumber()) {
            throw new IllegalArgumentException(where + ": no ground_truth (the reference solution, ending 'A: N')");
        }
        return LabelledChainsFile.numericGold(groundTruth)
                .or(() -> MARKED.extractMarked(groundTruth.asText()))
                .orElseThrow(() -> new IllegalArgumentException(where + ": ground_truth states no final answer "
                        + "('A: N', '#### N' or 'The answer is N' after the worked solution, or one number alone); "
                        + "its last number is not always the answer"));
    }
}
