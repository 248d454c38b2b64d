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
import java.util.Optional;

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

    private static final NumericAnswerExtractor NUMERIC = new NumericAnswerExtractor();

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
     * How the {@code is_correct} labels of {@code file}'s model solutions agree with their answers. The bench and
     * training score a chain by its answer compared as a number with the gold, never by its label, so a label that
     * says otherwise points at an answer read wrongly (a fraction, a unit) or at a label from another rule; told,
     * the reader can check the line. GSM8K's shipped rows agree on every chain.
     *
     * @return the count of boolean labels and of those that disagree, with the first one named; no labels for
     *         labelled chains ({@link LabelledChainsFile}), which carry none
     * @throws IllegalArgumentException as {@link #parse} does, naming the line
     */
    static LabelCheck checkLabels(Path file) throws IOException {
        int labelled = 0;
        int disagreeing = 0;
        String first = null;
        for (JsonLines.Row line : JsonLines.read(file)) {
            if (line.node().has("chains")) {
                continue;
            }
            ModelSolutions row = parse(line.node(), file + " line " + line.line());
            for (ReasoningChain chain : row.chains()) {
                JsonNode label = line.node().path(chain.source()).path("is_correct");
                if (!label.isBoolean()) {
                    continue;
                }
                labelled++;
                Optional<String> answer = NUMERIC.extract(chain.text());
                if (BenchAggregateCommand.correct(NUMERIC, answer, row.gold()) != label.booleanValue()) {
                    disagreeing++;
                    if (first == null) {
                        first = "line " + line.line() + ", " + chain.source() + ": is_correct " + label.booleanValue()
                                + ", answer " + answer.orElse("none") + ", gold " + row.gold();
                    }
                }
            }
        }
        return new LabelCheck(labelled, disagreeing, first);
    }

    /**
     * What {@link #checkLabels} found.
     *
     * @param labelled          chains with a boolean {@code is_correct}
     * @param disagreeing       those whose label disagrees with their answer compared as a number with the gold
     * @param firstDisagreement the first of them (line, source, label, answer, gold), null when none disagrees
     */
    record LabelCheck(int labelled, int disagreeing, String firstDisagreement) {

        /** Puts the {@code is_correct_labels} entry into {@code report}, when the file holds labels. */
        void addTo(BenchReport report) {
            if (labelled == 0) {
                return;
            }
            BenchReport entry = new BenchReport().put("labelled_chains", labelled)
                    .put("disagreeing_with_answers", disagreeing);
            if (firstDisagreement != null) {
                entry.put("first_disagreement", firstDisagreement).put("note", "chains are scored by their answers "
                        + "compared as numbers with the gold, not by is_correct: check that these answers are read "
                        + "as meant");
            }
            report.put("is_correct_labels", entry);
        }
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
                .or(() -> NUMERIC.extractMarked(groundTruth.asText()))
                .orElseThrow(() -> new IllegalArgumentException(where + ": ground_truth states no final answer "
                        + "('A: N', '#### N' or 'The answer is N' after the worked solution, or one number alone); "
                        + "its last number is not always the answer"));
    }
}
