package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Labelled chains in JSON lines, the format {@code verifier sample} writes and {@code verifier train --data} reads
 * ({@link #read} also reads GSM8K's model solutions): one question per line, {@code {"question": ...,
 * "answer": gold, "chains": [{"text": ..., "source": ...}, ...]}}, the gold answer one number ({@link #numericGold}),
 * any number of chains from any sources
 * ({@code source} defaults to {@value #DEFAULT_SOURCE}). This is how a verifier is trained for a user's own model:
 * its sampled chains on questions with known answers.
 */
final class LabelledChainsFile {

    /** The source of a chain that names none. */
    static final String DEFAULT_SOURCE = "model";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AnswerExtractor NUMERIC = AnswerExtractors.numeric();

    private LabelledChainsFile() {
    }

    /**
     * Every row of {@code file}, in this format or in GSM8K's model solutions ({@link ModelSolutions}), told by the
     * first row: a row with a {@code chains} field is in this format.
     *
     * @throws IllegalArgumentException naming the line that lacks a question, an answer or a chain with text (or, for
     *                                  model solutions, a field of theirs), or if the file holds no rows
     */
    static List<VerifierTrainer.LabelledChains> read(Path file) throws IOException {
        return read(file, false);
    }

    /**
     * As {@link #read(Path)}, refusing a question that repeats an earlier one
     * ({@link JsonlRows#requireDistinctQuestions}): for a bench, which would score it twice.
     *
     * @throws IllegalArgumentException as {@link #read(Path)} does, or naming the file and the lines of the first
     *                                  repeated question
     */
    static List<VerifierTrainer.LabelledChains> readDistinct(Path file) throws IOException {
        return read(file, true);
    }

    private static List<VerifierTrainer.LabelledChains> read(Path file, boolean distinct) throws IOException {
        List<JsonLines.Row> lines = JsonLines.read(file);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no rows");
        }
        boolean labelled = lines.get(0).node().has("chains");
        List<VerifierTrainer.LabelledChains> questions = new ArrayList<>(lines.size());
        for (JsonLines.Row line : lines) {
            String where = file + " line " + line.line();
            if (labelled) {
                questions.add(parse(line.node(), where));
            } else {
                ModelSolutions row = ModelSolutions.parse(line.node(), where);
                questions.add(new VerifierTrainer.LabelledChains(row.question(), row.gold(), row.chains()));
            }
        }
        if (distinct) {
            JsonlRows.requireDistinctQuestions(file, questions.stream().map(VerifierTrainer.LabelledChains::question)
                    .toList(), lines.stream().map(JsonLines.Row::line).toList(), "a bench would score it twice");
        }
        return questions;
    }

    /** One row of this format; {@code where} names it in an error. */
    private static VerifierTrainer.LabelledChains parse(JsonNode row, String where) {
        JsonNode question = row.path("question");
        JsonNode answer = row.path("answer");
        JsonNode chains = row.path("chains");
        if (!question.isTextual() || question.asText().isBlank()) {
            throw new IllegalArgumentException(where + ": no question (a non-blank string)");
        }
        Optional<String> gold = numericGold(answer);
        if (gold.isEmpty()) {
            throw new IllegalArgumentException(where + ": no gold answer (one number, as JSON or text: the chains' "
                    + "answers are read as numbers)");
        }
        if (!chains.isArray() || chains.isEmpty()) {
            throw new IllegalArgumentException(where + ": chains must be a non-empty array");
        }
        List<ReasoningChain> read = new ArrayList<>(chains.size());
        for (JsonNode chain : chains) {
            JsonNode source = chain.path("source");
            if (!chain.path("text").isTextual() || !(source.isMissingNode() || source.isTextual())) {
                throw new IllegalArgumentException(where + ": each chain needs a text string (and a source string, "
                        + "if any)");
            }
            read.add(ReasoningChain.of(chain.path("text").asText(), source.asText(DEFAULT_SOURCE)));
        }
        return new VerifierTrainer.LabelledChains(question.asText(), gold.get(), read);
    }

    /**
     * The gold answer {@code answer} holds if it is one number, as JSON or as text, in the form the numeric extractor
     * gives the chains' answers ({@code "1,600"} and {@code "$1600.00"} become {@code "1600"}); empty otherwise
     * ({@code "eighteen"}, {@code "3/4"}, {@code "18 or 19"}). A gold answer compared as written, or one that is not
     * a number, would count every chain wrong, and the figures would fall without a word.
     */
    static Optional<String> numericGold(JsonNode answer) {
        if (answer.isNumber()) {
            return NUMERIC.extract(answer.decimalValue().toPlainString());
        }
        if (!answer.isTextual()) {
            return Optional.empty();
        }
        String text = answer.asText().strip();
        Optional<String> read = NUMERIC.extract(text);
        String bare = text.replace("$", "").replace(",", "").replace('\u2212', '-').replaceAll("\\s", "");
        try {
            // The whole text is the number the extractor read, not a number among other words.
            return read.filter(number -> new BigDecimal(bare).compareTo(new BigDecimal(number)) == 0);
        } catch (NumberFormatException notOneNumber) {
            return Optional.empty();
        }
    }

    /** Writes {@code questions} to {@code file} atomically: a reader never sees half of it. */
    static void write(Path file, List<VerifierTrainer.LabelledChains> questions) throws IOException {
        AtomicFiles.write(file, out -> {
            for (VerifierTrainer.LabelledChains question : questions) {
                ObjectNode row = JSON.createObjectNode().put("question", question.question())
                        .put("answer", question.gold());
                ArrayNode chains = row.putArray("chains");
                question.chains().forEach(chain -> chains.addObject().put("text", chain.text())
                        .put("source", chain.source()));
                out.write(JSON.writeValueAsBytes(row));
                out.write('\n');
            }
        });
    }
}
