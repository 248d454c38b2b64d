package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.merge.HeterogeneousModelAveraging;
import dev.reasoningsdk.impl.merge.HmaPoint;
import dev.reasoningsdk.impl.merge.HmaResult;
import dev.reasoningsdk.impl.merge.internal.LayerIndex;
import dev.reasoningsdk.impl.merge.internal.SafetensorsHeader;
import dev.reasoningsdk.impl.merge.internal.TensorInfo;
import dev.reasoningsdk.impl.training.TinyReasonerMergeEvaluator;
import dev.reasoningsdk.impl.training.TinyReasonerMergeEvaluator.Measurement;
import dev.reasoningsdk.impl.training.TinyReasonerMergeEvaluator.Problem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench hma}: the alignment-tax experiment on the tuned tiny-reasoner pair. First the plain
 * averaging sweep ({@code a * base + (1 - a) * tuned}) measured on the problems the README uses, next to the README's
 * figures; then Heterogeneous Model Averaging at a fixed mean share of the base, with the README's three layer groups
 * and with one group per module (each Linear, LayerNorm and embedding: HMA's finer split), searched by CMA-ES or the
 * (1+λ)-ES ({@code --strategy}), each search scoring its candidates on a fixed subset ({@code --every}) and
 * re-measuring its best point and front on {@code --final-every}.
 */
@Command(name = "hma", mixinStandardHelpOptions = true,
        description = "Averaging sweep and HMA search on the tuned tiny-reasoner pair (alignment tax).")
public final class BenchHmaCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    /** The searches {@code --groups} names. */
    private static final List<String> SEARCHES = List.of("layers", "modules");
    private static final double[] README_A = {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    private static final double[] README_NEW = {0.803, 0.397, 0.183, 0.137, 0.060, 0.010, 0.007, 0.000, 0.000, 0.000,
            0.000};
    private static final double[] README_ORIGINAL = {0.005, 0.020, 0.030, 0.030, 0.030, 0.065, 0.162, 0.323, 0.645,
            0.805, 0.808};

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--sweep", split = ",",
            description = "Global shares of the base to measure (default: the README's 11).")
    private List<Double> sweep = new ArrayList<>(List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0));

    @Option(names = "--sweep-every",
            description = "Measure the sweep on every k-th problem (default ${DEFAULT-VALUE}: all 900).")
    private int sweepEvery = 1;

    @Option(names = "--every",
            description = "Search candidates are scored on every k-th problem (default ${DEFAULT-VALUE}).")
    private int every = 5;

    @Option(names = "--final-every",
            description = "Final points are re-measured on every k-th problem (default ${DEFAULT-VALUE}: all).")
    private int finalEvery = 1;

    @Option(names = "--budget", description = "Evaluations per HMA search (default ${DEFAULT-VALUE}).")
    private int budget = 16;

    @Option(names = "--mean", description = "The fixed mean share of the base (default ${DEFAULT-VALUE}).")
    private double mean = 0.5;

    @Option(names = "--seed", description = "Search seed (default ${DEFAULT-VALUE}).")
    private long seed = 1;

    @Option(names = "--strategy", description = "HMA search: cma-es or one-plus-lambda (default ${DEFAULT-VALUE}).")
    private String strategy = "cma-es";

    @Option(names = "--groups", split = ",", description = "Searches to run: layers, modules (default both).")
    private List<String> searches = new ArrayList<>(SEARCHES);

    @Option(names = "--pair", description = "The tiny-reasoner-tuned folder, with tiny-reasoner beside it (default: "
            + MergeDemo.TUNED_PAIR + " in the project's data folder, or ../shared).")
    private Path pair;

    @Override
    public Integer call() throws Exception {
        if (sweepEvery < 1 || every < 1 || finalEvery < 1 || budget < 1) {
            throw new IllegalArgumentException("--sweep-every, --every, --final-every and --budget must be >= 1");
        }
        HeterogeneousModelAveraging.Strategy searchStrategy = switch (strategy) {
            case "cma-es" -> HeterogeneousModelAveraging.Strategy.CMA_ES;
            case "one-plus-lambda" -> HeterogeneousModelAveraging.Strategy.ONE_PLUS_LAMBDA;
            default -> throw new IllegalArgumentException("--strategy takes cma-es or one-plus-lambda, not "
                    + strategy);
        };
        // Checked before the sweep, which takes minutes: a share outside [0, 1] is an extrapolation, not an average,
        // and the searches were only refused once the sweep had run.
        Arguments.probability(mean, "--mean");
        sweep.forEach(share -> Arguments.probability(share, "--sweep"));
        for (String kind : searches) {
            if (!SEARCHES.contains(kind)) {
                throw new IllegalArgumentException("--groups takes layers or modules, not " + kind);
            }
        }
        Path tuned = pair != null ? pair : SharedData.require(MergeDemo.TUNED_PAIR, "--pair");
        Path exprFile = tuned.resolve("expr-problems.jsonl");
        Path wordFile = tuned.resolveSibling("tiny-reasoner").resolve("eval-problems.jsonl");
        Map<String, Long> sizes = tensorSizes(tuned.resolve("base.safetensors"));
        BenchReport report = new BenchReport().put("strategy", strategy).put("mean_ratio", mean)
                .put("search_every", every)
                .put("final_every", finalEvery).put("sweep_every", sweepEvery);

        List<Problem> sweepExpr = TinyReasonerMergeEvaluator.readProblems(exprFile, sweepEvery);
        List<Problem> sweepWord = TinyReasonerMergeEvaluator.readProblems(wordFile, sweepEvery);
        TinyReasonerMergeEvaluator global = new TinyReasonerMergeEvaluator(tuned, name -> 0, sweepExpr, sweepWord);
        List<Map<String, Object>> sweepPoints = new ArrayList<>();
        Progress progress = new Progress("bench hma: sweep");
        boolean allMatch = true;
        for (int i = 0; i < sweep.size(); i++) {
            double a = sweep.get(i);
            Measurement m = global.measure(new double[] {a}, sweepExpr, sweepWord);
            Map<String, Object> point = point(List.of(a), m, 1);
            int readme = readmeIndex(a);
            if (readme >= 0 && sweepEvery == 1) {
                boolean match = Math.abs(round3(m.newBehaviour()) - README_NEW[readme]) < 1e-9
                        && Math.abs(round3(m.originalSkill()) - README_ORIGINAL[readme]) < 1e-9;
                point.put("readme_new_behaviour", README_NEW[readme]);
                point.put("readme_original_skill", README_ORIGINAL[readme]);
                point.put("matches_readme", match);
                allMatch &= match;
            }
            sweepPoints.add(point);
            progress.update(i + 1, sweep.size());
        }
        report.put("sweep", sweepPoints);
        if (sweepEvery == 1) {
            report.put("sweep_matches_readme", allMatch);
        }

        List<Problem> searchExpr = TinyReasonerMergeEvaluator.readProblems(exprFile, every);
        List<Problem> searchWord = TinyReasonerMergeEvaluator.readProblems(wordFile, every);
        List<Problem> finalExpr = TinyReasonerMergeEvaluator.readProblems(exprFile, finalEvery);
        List<Problem> finalWord = TinyReasonerMergeEvaluator.readProblems(wordFile, finalEvery);
        boolean targetMet = false;
        for (String kind : searches) {
            List<String> groupNames = new ArrayList<>();
            ToIntFunction<String> groupOf = switch (kind) {
                case "layers" -> {
                    groupNames.addAll(List.of("tok_emb,pos_emb,blocks.0-1", "blocks.2-3", "blocks.4-5,ln_f,head"));
                    yield BenchHmaCommand::readmeGroup;
                }
                case "modules" -> {
                    for (String name : sizes.keySet()) {
                        String module = module(name);
                        if (!groupNames.contains(module)) {
                            groupNames.add(module);
                        }
                    }
                    yield name -> groupNames.indexOf(module(name));
                }
                default -> throw new IllegalArgumentException("--groups takes layers or modules, not " + kind);
            };
            double[] groupSizes = new double[groupNames.size()];
            sizes.forEach((name, size) -> groupSizes[groupOf.applyAsInt(name)] += size);
            TinyReasonerMergeEvaluator evaluator = new TinyReasonerMergeEvaluator(tuned, groupOf, searchExpr,
                    searchWord);
            Progress searchProgress = new Progress("bench hma: " + kind + " search");
            int[] calls = {0};
            HmaResult result = HeterogeneousModelAveraging.builder().groupSizes(groupSizes).meanRatio(mean)
                    .budget(budget).seed(seed).strategy(searchStrategy).evaluator(r -> {
                        searchProgress.update(++calls[0], budget);
                        return evaluator.evaluate(r);
                    }).build().search();
            List<Map<String, Object>> finals = new ArrayList<>();
            List<HmaPoint> toMeasure = new ArrayList<>(result.front());
            if (!toMeasure.contains(result.best())) {
                toMeasure.add(0, result.best());
            }
            for (HmaPoint point : toMeasure) {
                Measurement m = evaluator.measure(point.ratios(), finalExpr, finalWord);
                Map<String, Object> entry = point(toList(point.ratios()), m, point.evaluation());
                entry.put("search_new_behaviour", point.scores().reward());
                entry.put("search_original_skill", point.scores().retained());
                entry.put("is_best", point == result.best());
                targetMet |= m.newBehaviour() >= 0.3 && m.originalSkill() >= 0.3;
                finals.add(entry);
            }
            List<Map<String, Object>> history = new ArrayList<>();
            for (HmaPoint point : result.history()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("ratios", toList(point.ratios()));
                entry.put("new_behaviour", point.scores().reward());
                entry.put("original_skill", point.scores().retained());
                history.add(entry);
            }
            report.put("hma_" + kind, new BenchReport()
                    .put("strategy", strategy)
                    .put("groups", groupNames)
                    .put("evaluations", result.evaluations())
                    .put("search_wall_s", result.usage().wallTime().toMillis() / 1000.0)
                    .put("final_points", finals)
                    .put("search_history", history));
        }
        report.put("target_both_at_least_0.3_at_mean", targetMet);
        report.print(System.out, json);
        return 0;
    }

    private static Map<String, Object> point(List<Double> ratios, Measurement m, int evaluations) {
        Map<String, Object> point = new LinkedHashMap<>();
        point.put(ratios.size() == 1 ? "ratio" : "ratios", ratios.size() == 1 ? ratios.get(0) : ratios);
        point.put("new_behaviour", m.newBehaviour());
        point.put("original_skill", m.originalSkill());
        point.put("expr_problems", m.exprProblems());
        point.put("word_problems", m.wordProblems());
        point.put("evaluations", evaluations);
        return point;
    }

    /** The README's three groups: {@code min(2, layer * 3 / 6)}, embeddings as layer 0, ln_f and head as layer 5. */
    static int readmeGroup(String name) {
        int layer = LayerIndex.of(name);
        if (layer < 0) {
            layer = name.startsWith("tok_emb") || name.startsWith("pos_emb") ? 0 : 5;
        }
        return Math.min(2, layer * 3 / 6);
    }

    /** A tensor's module: its name without {@code .weight} / {@code .bias}. */
    static String module(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    private static int readmeIndex(double a) {
        for (int i = 0; i < README_A.length; i++) {
            if (Math.abs(README_A[i] - a) < 1e-9) {
                return i;
            }
        }
        return -1;
    }

    private static double round3(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static List<Double> toList(double[] values) {
        List<Double> list = new ArrayList<>();
        for (double value : values) {
            list.add(Math.round(value * 1e4) / 1e4);
        }
        return list;
    }

    private static Map<String, Long> tensorSizes(Path safetensors) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (TensorInfo tensor : SafetensorsHeader.read(safetensors).tensors()) {
            sizes.put(tensor.name(), tensor.elementCount());
        }
        return sizes;
    }

}
