package dev.reasoningsdk.impl.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.merge.RatioEvaluator;
import dev.reasoningsdk.impl.merge.StreamingModelMerger;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * Scores merges of the tiny reasoner and its fine-tuned copy ({@code models/tiny-reasoner-tuned} in the project's
 * data folder, {@code reasoning-sdk-examples/data}) the way its README defines: the merged ONNX model is built in
 * memory ({@link StreamingModelMerger#mergeOnnx}, the share of the base per group {@code r} giving
 * {@code float(r) * base + float(1 - r) * tuned} per tensor, as its {@code npeval.py} computes) and greedy-decoded in
 * batches by {@link BatchedGreedyDecoder} (at most 180 new tokens, 320 in all) on the expression problems (reward: new
 * behaviour) and the word problems (retained: original skill); a problem is right when the last
 * {@code The answer is N.} equals its answer. Groups are given over the state-dict names and mapped to ONNX
 * initializers through {@code onnx-names.json}. Not thread-safe.
 */
public final class TinyReasonerMergeEvaluator implements RatioEvaluator {

    /** The README's decoding limit on new tokens. */
    public static final int MAX_NEW_TOKENS = 180;

    /**
     * A problem of either set.
     *
     * @param question the question (without the prompt frame)
     * @param steps    its number of steps
     * @param answer   the right answer
     */
    public record Problem(String question, int steps, int answer) {
        /** @throws NullPointerException if the question is null */
        public Problem {
            Objects.requireNonNull(question, "question");
        }
    }

    /**
     * Accuracies of one merged model.
     *
     * @param newBehaviour  accuracy on the expression problems
     * @param originalSkill accuracy on the word problems
     * @param exprProblems  expression problems decoded
     * @param wordProblems  word problems decoded
     */
    public record Measurement(double newBehaviour, double originalSkill, int exprProblems, int wordProblems) {
    }

    private final Path baseOnnx;
    private final Path tunedOnnx;
    private final Map<String, String> onnxNames;
    private final ToIntFunction<String> groupOf;
    private final List<Problem> expr;
    private final List<Problem> word;
    private final StreamingModelMerger merger = StreamingModelMerger.builder().threads(1).build();

    /**
     * An evaluator over the given problem subsets.
     *
     * @param tunedDir the {@code tiny-reasoner-tuned} directory (with {@code onnx-names.json}; the base ONNX is
     *                 {@code ../tiny-reasoner/tiny-reasoner.onnx})
     * @param groupOf  the group of a state-dict tensor name (0-based)
     * @param expr     expression problems scored for the reward
     * @param word     word problems scored for the retained skill
     */
    public TinyReasonerMergeEvaluator(Path tunedDir, ToIntFunction<String> groupOf, List<Problem> expr,
                                      List<Problem> word) {
        this.baseOnnx = tunedDir.resolveSibling("tiny-reasoner").resolve("tiny-reasoner.onnx");
        this.tunedOnnx = tunedDir.resolve("tiny-reasoner-tuned.onnx");
        this.onnxNames = readNames(tunedDir.resolve("onnx-names.json"));
        this.groupOf = Objects.requireNonNull(groupOf, "groupOf");
        this.expr = List.copyOf(expr);
        this.word = List.copyOf(word);
    }

    /** The state-dict names of the model's tensors, in file order. */
    public List<String> stateDictNames() {
        return List.copyOf(onnxNames.keySet());
    }

    /**
     * Reads a problems file ({@code question}, {@code steps}, {@code answer} per line), every {@code every}-th.
     *
     * @throws IllegalArgumentException naming the line of a row that lacks one of the three fields
     */
    public static List<Problem> readProblems(Path file, int every) throws IOException {
        List<Problem> problems = new ArrayList<>();
        List<JsonLines.Row> rows = JsonLines.read(file);
        for (int i = 0; i < rows.size(); i += every) {
            JsonNode node = rows.get(i).node();
            if (!node.path("question").isTextual() || !node.path("steps").canConvertToInt()
                    || !node.path("answer").canConvertToInt()) {
                throw new IllegalArgumentException(file + ":" + rows.get(i).line()
                        + ": needs 'question' (text), 'steps' and 'answer' (integers)");
            }
            problems.add(new Problem(node.get("question").asText(), node.get("steps").asInt(),
                    node.get("answer").asInt()));
        }
        return problems;
    }

    private static Map<String, String> readNames(Path file) {
        try {
            JsonNode mapping = new ObjectMapper().readTree(file.toFile()).get("state_dict_to_onnx");
            Map<String, String> names = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                names.put(entry.getKey(), entry.getValue().get("onnx").asText());
            }
            return names;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a readable onnx-names.json: " + e, e);
        }
    }

    @Override
    public Scores evaluate(double[] ratios) {
        Measurement measurement = measure(ratios, expr, word);
        return new Scores(measurement.newBehaviour(), measurement.originalSkill());
    }

    /**
     * Merges with per-group shares of the base and measures both skills on the given problems.
     *
     * @throws IllegalArgumentException naming the group if a share is outside [0, 1] (a share past either end
     *                                  extrapolates away from both models rather than averaging them)
     */
    public Measurement measure(double[] ratios, List<Problem> exprProblems, List<Problem> wordProblems) {
        byte[] merged = merger.mergeOnnx(plan(ratios));
        try (BatchedGreedyDecoder decoder = new BatchedGreedyDecoder(merged, 2)) {
            return new Measurement(accuracy(decoder, exprProblems), accuracy(decoder, wordProblems),
                    exprProblems.size(), wordProblems.size());
        }
    }

    /** The linear merge plan for per-group shares of the base: ONNX initializers weighted through the name map. */
    MergePlan plan(double[] ratios) {
        for (int group = 0; group < ratios.length; group++) {
            Arguments.probability(ratios[group], "the base's share of group " + group);
        }
        List<RatioSchedule.NameFilter> baseWeights = new ArrayList<>();
        List<RatioSchedule.NameFilter> tunedWeights = new ArrayList<>();
        onnxNames.forEach((stateName, onnxName) -> {
            int group = groupOf.applyAsInt(stateName);
            if (group < 0 || group >= ratios.length) {
                throw new IllegalArgumentException("tensor " + stateName + " is in group " + group + " but "
                        + ratios.length + " ratios were given");
            }
            baseWeights.add(new RatioSchedule.NameFilter(onnxName, RatioSchedule.constant(ratios[group])));
            tunedWeights.add(new RatioSchedule.NameFilter(onnxName, RatioSchedule.constant(1 - ratios[group])));
        });
        // Every initializer has its own entry; the fallback is never used (each name matches its own filter first,
        // because no initializer name contains another's).
        return MergePlan.builder().method(MergeMethod.LINEAR)
                .addModel(baseOnnx, Map.of("weight", new RatioSchedule.Filtered(baseWeights,
                        RatioSchedule.constant(0))))
                .addModel(tunedOnnx, Map.of("weight", new RatioSchedule.Filtered(tunedWeights,
                        RatioSchedule.constant(0))))
                .parameter("normalize", RatioSchedule.constant(0))
                .build();
    }

    private static double accuracy(BatchedGreedyDecoder decoder, List<Problem> problems) {
        if (problems.isEmpty()) {
            return 0;
        }
        List<String> chains = decoder.generate(problems.stream()
                .map(p -> TinyReasoner.prompt(p.question())).toList());
        int right = 0;
        for (int i = 0; i < problems.size(); i++) {
            Optional<Integer> answer = TinyReasoner.extractAnswer(chains.get(i));
            if (answer.isPresent() && answer.get() == problems.get(i).answer()) {
                right++;
            }
        }
        return (double) right / problems.size();
    }
}
