package dev.reasoningsdk.impl.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.confidence.AnswerGroups;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.retrieval.LinearHead;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Trains the self-knowledge head of {@link HiddenStateSelfKnowledge} as UAR does: label each problem by whether the
 * model's own answers are right (the majority of its sampled answers equals the gold answer), take the model's
 * hidden state at the end of the prompt as features, and fit a {@link HeadTrainer} logistic head with a fixed-seed
 * held-out split.
 *
 * <p>The labels come either from samples already recorded in the data ({@link #readRecordedSamples}: the tiny
 * reasoner's {@code eval-problems.jsonl} holds ten samples per problem at temperature 0.8) or from fresh samples
 * drawn from the model ({@link #labelBySampling}). Problems are rows with {@code question} and {@code answer} (the
 * gold answer); recorded samples are in {@code model_sample_answers}. The model reads each question through the
 * criterion's prompt format (the tiny reasoner's {@code "Q: <question>\nA:"}, which is the data's {@code prompt}).
 * Majority: unparseable samples do not vote, ties go to the answer seen first, and no parseable sample at all counts
 * as wrong.
 */
public final class SelfKnowledgeTrainer {

    /** Rows (samples x problems) one labelling call asks for at most: the local decoder's batch. */
    private static final int PROMPT_ROWS_PER_CALL = 64;

    private SelfKnowledgeTrainer() {
    }

    /**
     * A problem with its gold answer.
     *
     * @param question the question, without the prompt format
     * @param answer   the gold answer, as text
     */
    public record Problem(String question, String answer) {
        /** @throws NullPointerException if a field is null */
        public Problem {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(answer, "answer");
        }
    }

    /** Reads {@code question} and {@code answer} from each row of a JSONL file. */
    public static List<Problem> readProblems(Path file) throws IOException {
        List<Problem> problems = new ArrayList<>();
        for (JsonNode row : readRows(file)) {
            problems.add(new Problem(row.path("question").asText(), row.path("answer").asText()));
        }
        return problems;
    }

    /**
     * Labels each row by the majority of its recorded {@code model_sample_answers} against its {@code answer}; the
     * text of each labelled row is its {@code question}.
     *
     * @throws IllegalArgumentException naming the row when a field is missing
     */
    public static List<LabelledText> readRecordedSamples(Path file) throws IOException {
        List<LabelledText> rows = new ArrayList<>();
        int number = 0;
        for (JsonNode row : readRows(file)) {
            number++;
            JsonNode samples = row.get("model_sample_answers");
            if (samples == null || !samples.isArray()) {
                throw new IllegalArgumentException(file + " row " + number + ": no 'model_sample_answers' array");
            }
            List<ReasoningChain> answers = new ArrayList<>();
            samples.forEach(sample -> answers.add(ReasoningChain.of(sample.isNull() ? "" : sample.asText(),
                    "recorded")));
            boolean correct = majority(answers, AnswerExtractors.numeric())
                    .filter(answer -> AnswerExtractors.numeric().equivalent(answer, row.path("answer").asText()))
                    .isPresent();
            rows.add(new LabelledText(row.path("question").asText(), correct));
        }
        return rows;
    }

    private static List<JsonNode> readRows(Path file) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonLines.Row row : JsonLines.read(file)) {
            if (!row.node().path("question").isTextual() || row.node().path("answer").isMissingNode()) {
                throw new IllegalArgumentException(file + ":" + row.line() + ": needs 'question' and 'answer'");
            }
            rows.add(row.node());
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": no problems");
        }
        return rows;
    }

    /**
     * Labels problems by sampling the model: {@code samples} answers per problem, several problems per batched
     * decode ({@link CausalLanguageModel#generate(List, int, GenerationOptions)}), extracted by {@code extractor},
     * majority against the gold answer.
     *
     * @param progress told the number of problems done after each one
     */
    public static List<LabelledText> labelBySampling(CausalLanguageModel model, UnaryOperator<String> promptFormat,
                                                     List<Problem> problems, int samples,
                                                     GenerationOptions options, AnswerExtractor extractor,
                                                     IntConsumer progress) {
        List<LabelledText> rows = new ArrayList<>(problems.size());
        // Several problems per call, so that a local model decodes them in one batch; problem i is still seeded
        // seed + i, as the list form of generate seeds its prompts.
        int perCall = Math.max(1, PROMPT_ROWS_PER_CALL / samples);
        for (int first = 0; first < problems.size(); first += perCall) {
            List<Problem> chunk = problems.subList(first, Math.min(problems.size(), first + perCall));
            GenerationOptions seeded = new GenerationOptions(options.temperature(), options.topP(), options.topK(),
                    options.maxNewTokens(), options.seed() + first);
            List<List<Generation>> generations = model.generate(chunk.stream()
                    .map(problem -> promptFormat.apply(problem.question())).toList(), samples, seeded);
            for (int j = 0; j < chunk.size(); j++) {
                Problem problem = chunk.get(j);
                List<ReasoningChain> answers = new ArrayList<>();
                for (Generation generation : generations.get(j)) {
                    answers.add(ReasoningChain.of(generation.text(), model.modelId()));
                }
                boolean correct = majority(answers, extractor)
                        .filter(answer -> extractor.equivalent(answer, problem.answer())).isPresent();
                rows.add(new LabelledText(problem.question(), correct));
                progress.accept(first + j + 1);
            }
        }
        return rows;
    }

    /** The most common answer in the samples, ties to the first seen; empty when none has one. */
    static Optional<String> majority(List<ReasoningChain> samples, AnswerExtractor extractor) {
        return AnswerGroups.of(samples, extractor).majority().map(AnswerGroups.Group::answer);
    }

    /** The model's hidden states at the end of each formatted question, in batches of 32. */
    public static List<float[]> hiddenStates(CausalLanguageModel model, UnaryOperator<String> promptFormat,
                                             List<LabelledText> rows, IntConsumer progress) {
        List<float[]> features = new ArrayList<>(rows.size());
        for (int start = 0; start < rows.size(); start += 32) {
            List<String> prompts = rows.subList(start, Math.min(rows.size(), start + 32)).stream()
                    .map(row -> promptFormat.apply(row.text())).toList();
            features.addAll(model.promptHiddenStates(prompts));
            progress.accept(features.size());
        }
        return features;
    }

    /** Fits the self-knowledge head on the model's hidden states of the labelled questions. */
    public static LinearHead train(CausalLanguageModel model, UnaryOperator<String> promptFormat,
                                   List<LabelledText> rows, HeadTrainer trainer, HeadTrainer.DataRecord data,
                                   IntConsumer progress) {
        List<float[]> features = hiddenStates(model, promptFormat, rows, progress);
        return trainer.train(CriterionKind.SELF_KNOWLEDGE, model.modelId(), features,
                rows.stream().map(LabelledText::label).toList(), data);
    }
}
