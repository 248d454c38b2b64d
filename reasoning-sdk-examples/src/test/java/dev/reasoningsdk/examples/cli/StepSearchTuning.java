package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.aggregate.ArithmeticStepReward;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The tuning harness behind {@link StepSearchSettings}: runs a step search on the eval problems the default live
 * selection of {@code bench aggregate} never reads (rows whose index is not a multiple of 3, since it picks every third
 * of the 600), with 3 to 6 steps, and prints accuracy, generated tokens and expansions per problem. Not a test (its
 * name matches no Surefire pattern): run it by hand with the test classes and the CLI's jar on the class path,
 * {@code java -cp reasoning.jar:test-classes dev.reasoningsdk.examples.cli.StepSearchTuning VARIANT [COUNT]}.
 */
final class StepSearchTuning {

    private StepSearchTuning() {
    }

    /** The strategy-specific settings of a trial, each set only when its property is given. */
    private static final class TrialOptions {
        static void apply(StepSearch.Builder builder) {
            if (System.getProperty("beamWidth") != null) {
                builder.beamWidth(Integer.getInteger("beamWidth"));
            }
            if (System.getProperty("children") != null) {
                builder.expansionsPerStep(Integer.getInteger("children"));
            }
            if (System.getProperty("maxExp") != null) {
                builder.maxExpansionsPerStep(Integer.getInteger("maxExp"));
            }
            builder.calculator(Boolean.getBoolean("calculator"));
            if (System.getProperty("agreement") != null) {
                builder.agreement(Integer.getInteger("agreement"));
            }
            if (System.getProperty("restarts") != null) {
                builder.maxRestarts(Integer.getInteger("restarts"));
            }
            if (System.getProperty("samples") != null) {
                builder.samples(Integer.getInteger("samples"));
            }
            if (System.getProperty("explorationConstant") != null) {
                builder.explorationConstant(Double.parseDouble(System.getProperty("explorationConstant")));
            }
            if (System.getProperty("acceptReward") != null) {
                builder.acceptReward(Double.parseDouble(System.getProperty("acceptReward")));
            }
        }
    }

    /** The rows the default live selection leaves out, with 3 to 6 steps, {@code count} of them evenly spaced. */
    static List<JsonNode> tuningRows(List<JsonNode> all, int count) {
        List<JsonNode> picked = JsonlRows.evenlySpaced(all, new BenchAggregateCommand().maxProblems);
        List<JsonNode> rest = new ArrayList<>();
        for (JsonNode row : all) {
            int steps = row.path("steps").asInt();
            if (!picked.contains(row) && steps >= 3 && steps <= 6) {
                rest.add(row);
            }
        }
        return JsonlRows.evenlySpaced(rest, count);
    }

    private static StepSearch trial(HuggingFaceOnnxModel model) {
        StepSearch.Builder builder = StepSearch.builder().model(model)
                .strategy(StepSearch.Strategy.valueOf(System.getProperty("strategy", "BEST_FIRST")))
                .stepTokens(Integer.getInteger("stepTokens", StepSearchSettings.STEP_TOKENS))
                .maxTokens(Long.getLong("maxTokens", StepSearchSettings.MAX_TOKENS))
                .temperature(Double.parseDouble(System.getProperty("temperature", "0.8")))
                .reward(ArithmeticStepReward.builder()
                        .groundingFactor(Double.parseDouble(System.getProperty("grounding", "1"))).build());
        TrialOptions.apply(builder);
        return builder.build();
    }

    public static void main(String[] args) throws IOException {
        String variant = args.length > 0 ? args[0] : "best_first";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        boolean verbose = Boolean.getBoolean("verbose");
        List<JsonNode> rows = tuningRows(JsonlRows.read(SharedData.require(BenchReasonerCommand.EVAL_FILE,
                "--problems")), count);
        AnswerExtractor numeric = AnswerExtractors.numeric();
        try (HuggingFaceOnnxModel model = TinyReasoner.builder().intraOpThreads(1).build()) {
            Function<HuggingFaceOnnxModel, StepSearch> make = switch (variant) {
                case "beam" -> m -> StepSearchSettings.beam(m, StepSearchSettings.STEP_TOKENS,
                        StepSearchSettings.MAX_TOKENS);
                case "best_first" -> m -> StepSearchSettings.bestFirst(m, StepSearchSettings.STEP_TOKENS,
                        StepSearchSettings.MAX_TOKENS);
                case "mcts" -> m -> StepSearchSettings.mcts(m, StepSearchSettings.STEP_TOKENS,
                        StepSearchSettings.MAX_TOKENS);
                // A trial: the settings given as system properties (-Dname=value), the bench's otherwise.
                case "trial" -> StepSearchTuning::trial;
                // The bench's best_first_learned, with the settings given as system properties on top.
                case "learned" -> m -> {
                    StepSearch.Builder builder = StepSearchSettings.bestFirstLearnedBuilder(m,
                            HiddenStateStepReward.tinyReasoner(m), StepSearchSettings.STEP_TOKENS,
                            StepSearchSettings.MAX_TOKENS);
                    TrialOptions.apply(builder);
                    return builder.build();
                };
                default -> throw new IllegalArgumentException("unknown variant " + variant);
            };
            StepSearch search = make.apply(model);
            Map<Integer, double[]> bySteps = new TreeMap<>();
            double[] total = new double[4];
            for (JsonNode row : rows) {
                String gold = String.valueOf(row.path("answer").asLong());
                StepSearchResult result = search.solve(row.path("question").asText());
                boolean right = BenchAggregateCommand.correct(numeric, result.answer(), gold);
                double[] figures = {right ? 1 : 0, result.generatedTokens(), result.expansions(), 1};
                for (double[] into : List.of(total, bySteps.computeIfAbsent(row.path("steps").asInt(),
                        s -> new double[4]))) {
                    for (int i = 0; i < 4; i++) {
                        into[i] += figures[i];
                    }
                }
                if (verbose && !right) {
                    System.out.println("WRONG id " + row.path("id") + " gold " + gold + " got " + result.answer()
                            + " tokens " + result.generatedTokens() + "\n  Q: " + row.path("question").asText()
                            + "\n  chain: " + result.path().stream().map(s -> s.text() + "[" + s.reward() + "]")
                            .toList() + "\n  ref: " + row.path("chain").asText());
                }
            }
            System.out.printf("%s %s n=%d accuracy %.3f tokens %.1f expansions %.1f%n", variant,
                    List.of("grounding", "maxExp", "restarts", "agreement", "acceptReward", "calculator", "samples",
                                    "beamWidth", "children", "stepTokens", "explorationConstant")
                            .stream().filter(k -> System.getProperty(k) != null)
                            .map(k -> k + "=" + System.getProperty(k)).toList(), (int) total[3],
                    total[0] / total[3], total[1] / total[3], total[2] / total[3]);
            bySteps.forEach((steps, f) -> System.out.printf("  %d steps: n=%d accuracy %.3f tokens %.1f%n", steps,
                    (int) f[3], f[0] / f[3], f[1] / f[3]));
        }
    }
}
