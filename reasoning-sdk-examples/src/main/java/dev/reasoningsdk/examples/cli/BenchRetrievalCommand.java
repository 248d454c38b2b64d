package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.retrieval.BinaryMetrics;
import dev.reasoningsdk.impl.retrieval.EncoderHeadCriterion;
import dev.reasoningsdk.impl.retrieval.HeadProvenance;
import dev.reasoningsdk.impl.training.HeadTrainer;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.retrieval.LinearHead;
import dev.reasoningsdk.impl.retrieval.RuleCriterion;
import dev.reasoningsdk.impl.training.SelfKnowledgeTrainer;
import dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench retrieval}: the shipped UAR criteria on rows they never saw (each head's fixed-seed held-out
 * split of its training file, or every row of a different file given with {@code --data}), beside the
 * majority-class baseline; then the latency of judging one request with all four criteria and the throughput at
 * batch 32, on CPU.
 */
@Command(name = "retrieval", mixinStandardHelpOptions = true,
        description = "Held-out accuracy, macro-F1 and AUROC of each UAR criterion; judge latency and throughput.")
public final class BenchRetrievalCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--data", description = "Data directory laid out like shared/data (default: data/ in the "
            + "project's data folder, or ../shared/data).")
    private Path dataDir;

    @Option(names = "--self-knowledge-data", description = "The tiny reasoner's eval problems with recorded "
            + "samples (default: " + BenchReasonerCommand.EVAL_FILE + " in the project's data folder, or ../shared).")
    private Path selfKnowledgeData;

    @Option(names = "--latency-requests", defaultValue = "200", description = "Requests timed one by one.")
    private int latencyRequests;

    @Option(names = "--batches", defaultValue = "8", description = "Batches of 32 timed for throughput.")
    private int batches;

    @Option(names = "--warmup-passes", defaultValue = "1", description = "Untimed passes over the latency requests "
            + "before they are timed.")
    private int warmupPasses;

    @Override
    public Integer call() throws IOException {
        if (latencyRequests < 1 || batches < 1) {
            throw new IllegalArgumentException("--latency-requests and --batches must be >= 1");
        }
        if (warmupPasses < 0) {
            throw new IllegalArgumentException("--warmup-passes must be >= 0, got " + warmupPasses);
        }
        Path data = dataDir != null ? dataDir : RetrievalSetup.defaultDataDir();
        Path selfData = selfKnowledgeData != null ? selfKnowledgeData
                : SharedData.require(BenchReasonerCommand.EVAL_FILE, "--self-knowledge-data");
        BenchReport report = new BenchReport();
        report.put("data", data.toString());
        List<String> latencyQueries = new ArrayList<>();
        try (RetrievalSetup setup = new RetrievalSetup(RetrievalSetup.Reasoner.INT8_HIDDEN_STATES)) {
            report.put("encoder", setup.encoder.modelId()).put("self_knowledge_model", setup.reasoner.modelId());
            EncoderHeadCriterion intent = EncoderHeadCriterion.defaultIntent(setup.encoder);
            EncoderHeadCriterion knowledge = EncoderHeadCriterion.defaultKnowledge(setup.encoder);
            EncoderHeadCriterion time = EncoderHeadCriterion.defaultTime(setup.encoder);
            HiddenStateSelfKnowledge self = HiddenStateSelfKnowledge.tinyReasoner(setup.reasoner);
            report.put("intent", evaluateEncoderCriterion(intent, RuleCriterion.intent(),
                    data.resolve("retrieval_need/metatool_tool_awareness.jsonl"), latencyQueries));
            report.put("knowledge", evaluateEncoderCriterion(knowledge, RuleCriterion.selfContainedTask(),
                    data.resolve("knowledge_intensive/knowledge_intensive_balanced.jsonl"), latencyQueries));
            report.put("time", evaluateEncoderCriterion(time, RuleCriterion.time(),
                    data.resolve("freshqa_time_sensitivity/freshqa_v11132023.jsonl"), latencyQueries));
            report.put("self_knowledge", evaluateSelfKnowledge(self, selfData));
            UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder().parallelCriteria(setup.criteriaThread)
                    .criterion(intent).criterion(knowledge).criterion(time).criterion(self).build();
            report.put("latency", latency(judge, latencyQueries, setup.encoder, self));
        }
        report.print(System.out, json);
        return 0;
    }

    private BenchReport evaluateEncoderCriterion(EncoderHeadCriterion criterion, RuleCriterion rules, Path file,
                                                 List<String> latencyQueries) throws IOException {
        LinearHead head = criterion.head();
        HeadProvenance provenance = head.provenance();
        TextFiles.requireRegularFile(file);
        Evaluation rows = evaluationRows(file, provenance, LabelledText.readJsonl(file, provenance.textField(),
                provenance.labelField()));
        Progress progress = new Progress(head.kind().name().toLowerCase(java.util.Locale.ROOT));
        List<EncodedSentence> embeddings = new ArrayList<>();
        for (int start = 0; start < rows.rows().size(); start += 32) {
            List<String> chunk = rows.texts().subList(start, Math.min(rows.rows().size(), start + 32));
            embeddings.addAll(criterion.encoder().encodeAll(chunk, criterion.pooledLayers()));
            progress.update(embeddings.size(), rows.rows().size());
        }
        List<Double> headScores = new ArrayList<>();
        List<Double> shipped = new ArrayList<>();
        List<Double> ruleScores = new ArrayList<>();
        List<Double> noisyOr = new ArrayList<>();
        for (int i = 0; i < rows.rows().size(); i++) {
            String text = rows.texts().get(i);
            double headScore = head.probability(head.features(embeddings.get(i), text));
            headScores.add(headScore);
            shipped.add(criterion.evaluate(text, embeddings.get(i)).probability());
            if (rules != null) {
                double ruleScore = rules.match(text).isPresent() ? rules.matchProbability() : 0;
                ruleScores.add(ruleScore);
                noisyOr.add(rules.match(text).isPresent() ? combine(rules, ruleScore, headScore) : headScore);
            }
        }
        latencyQueries.addAll(rows.texts().subList(0, Math.min(rows.texts().size(), 80)));
        BenchReport report = rows.describe(new BenchReport());
        report.put("shipped_criterion", criterion.toString());
        report.put("figures", figures(BinaryMetrics.compute(shipped, rows.labels(), 0.5)));
        report.put("head_only", figures(BinaryMetrics.compute(headScores, rows.labels(), 0.5)));
        if (rules != null) {
            report.put("rule_matches", ruleScores.stream().filter(score -> score > 0).count());
            if (rules.matchProbability() >= 0.5) {
                report.put("rules_only", figures(BinaryMetrics.compute(ruleScores, rows.labels(), 0.5)));
            }
            report.put("head_with_rules", figures(BinaryMetrics.compute(noisyOr, rows.labels(), 0.5)));
        }
        return report;
    }

    private BenchReport evaluateSelfKnowledge(HiddenStateSelfKnowledge criterion, Path file) throws IOException {
        TextFiles.requireRegularFile(file);
        HeadProvenance provenance = criterion.head().provenance();
        Evaluation rows = evaluationRows(file, provenance, SelfKnowledgeTrainer.readRecordedSamples(file));
        BenchReport report = rows.describe(new BenchReport());
        report.put("label", provenance.labelField());
        report.put("figures", selfKnowledgeFigures(criterion, rows, "self_knowledge"));
        // The judge reads int8 hidden states; the head was trained on float32 ones, so both are shown.
        try (HuggingFaceOnnxModel float32 = TinyReasoner.builder().intraOpThreads(1).build()) {
            report.put("float32_hidden_states_figures", selfKnowledgeFigures(
                    HiddenStateSelfKnowledge.builder().model(float32).head(criterion.head()).build(), rows,
                    "self_knowledge (float32)"));
        }
        return report;
    }

    private static Map<String, Object> selfKnowledgeFigures(HiddenStateSelfKnowledge criterion, Evaluation rows,
                                                            String progressName) {
        Progress progress = new Progress(progressName);
        List<Double> scores = new ArrayList<>();
        for (int start = 0; start < rows.rows().size(); start += 32) {
            List<String> questions = rows.texts().subList(start, Math.min(rows.rows().size(), start + 32));
            for (CriterionResult result : criterion.evaluateAll(questions)) {
                scores.add(result.probability());
            }
            progress.update(scores.size(), rows.rows().size());
        }
        return figures(BinaryMetrics.compute(scores, rows.labels(), 0.5));
    }

    /**
     * Wall and calling-thread CPU milliseconds per request for the whole judge (the shared machine's load swings
     * wall time; with one intra-op thread ONNX Runtime computes on the calling thread, so CPU time is the steadier
     * figure), the self-knowledge pass's own wall time inside it, then each model pass alone, each in a loop of its
     * own (run between judgements they evicted each other's weights and slowed both), then throughput at batch 32.
     */
    private BenchReport latency(UnifiedActiveRetrieval judge, List<String> queries, SentenceEncoder encoder,
                                HiddenStateSelfKnowledge self) {
        int n = Math.min(queries.size(), latencyRequests);
        // Steady state, as a service would run: 10 warm-up requests left the JIT still compiling the judge's Java
        // side (tokenizer, heads, decision) and put p50 about 1 ms above the figure after one full pass.
        for (int pass = 0; pass < warmupPasses; pass++) {
            queries.subList(0, n).forEach(judge::judge);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] wall = new double[n];
        double[] cpu = new double[n];
        double[] inJudge = new double[n];
        Progress progress = new Progress("latency");
        int retrieved = 0;
        for (int i = 0; i < n; i++) {
            String query = queries.get(i);
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            RetrievalDecision decision = judge.judge(query);
            wall[i] = (System.nanoTime() - start) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
            retrieved += decision.retrieve() ? 1 : 0;
            inJudge[i] = decision.criteria().get(CriterionKind.SELF_KNOWLEDGE).usage().wallTime().toNanos() / 1e6;
            progress.update(i + 1, n);
        }
        double[] encoderWall = wallMillis(queries.subList(0, n), encoder::embed);
        double[] selfWall = wallMillis(queries.subList(0, n), self::evaluate);
        BenchReport report = new BenchReport().put("criteria", judge.criteria().size()).put("requests", n)
                .put("warmup_requests", warmupPasses * n)
                .put("p50_ms", percentile(wall, 0.50)).put("p95_ms", percentile(wall, 0.95))
                .put("cpu_p50_ms", percentile(cpu, 0.50)).put("cpu_p95_ms", percentile(cpu, 0.95))
                .put("encoder_p50_ms", percentile(encoderWall, 0.50))
                .put("self_knowledge_p50_ms", percentile(selfWall, 0.50))
                .put("self_knowledge_in_judge_p50_ms", percentile(inJudge, 0.50))
                .put("retrieve_rate", retrieved / (double) n);
        List<String> batchQueries = new ArrayList<>();
        while (batchQueries.size() < 32 * batches) {
            batchQueries.addAll(queries);
        }
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            judge.judgeAll(batchQueries.subList(b * 32, (b + 1) * 32));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return report.put("batch_size", 32).put("batches", batches).put("requests_per_s", 32 * batches / seconds)
                .put("load_average", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
                .put("cores", Runtime.getRuntime().availableProcessors());
    }

    private static double[] wallMillis(List<String> queries, java.util.function.Consumer<String> call) {
        double[] wall = new double[queries.size()];
        for (int i = 0; i < wall.length; i++) {
            long start = System.nanoTime();
            call.accept(queries.get(i));
            wall[i] = (System.nanoTime() - start) / 1e6;
        }
        return wall;
    }

    private static double percentile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Noisy-or for rules that say a criterion holds, the rule first for rules that say it does not. */
    private static double combine(RuleCriterion rules, double rule, double head) {
        return rules.matchProbability() >= 0.5 ? 1 - (1 - rule) * (1 - head) : rule;
    }

    /** The figures of one criterion as a nested report. */
    static Map<String, Object> figures(BinaryMetrics metrics) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("examples", metrics.examples());
        figures.put("positives", metrics.positives());
        figures.put("accuracy", metrics.accuracy());
        figures.put("macro_f1", metrics.macroF1());
        figures.put("auroc", metrics.auroc());
        figures.put("majority_accuracy", metrics.majorityAccuracy());
        figures.put("majority_macro_f1", metrics.majorityMacroF1());
        return figures;
    }

    /**
     * The rows a head is scored on: its held-out split when {@code file} is the file it was trained on, else every
     * row whose text it was not trained on (training texts are recovered from the default data when available).
     */
    private static Evaluation evaluationRows(Path file, HeadProvenance provenance, List<LabelledText> all)
            throws IOException {
        if (LabelledText.sha256(file).equals(provenance.dataSha256())) {
            if (all.size() != provenance.rows()) {
                throw new IllegalStateException(file + " has " + all.size() + " labelled rows, the head's record "
                        + provenance.rows());
            }
            List<LabelledText> rows = new ArrayList<>();
            for (int index : HeadTrainer.heldOutIndices(
                    all.stream().map(LabelledText::label).toList(), provenance.seed(), provenance.heldOutFraction())) {
                rows.add(all.get(index));
            }
            return new Evaluation(rows, "held_out", file, 0);
        }
        Set<String> seen = trainingTexts(provenance);
        List<LabelledText> rows = all.stream().filter(row -> !seen.contains(row.text())).toList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": every row was used in training");
        }
        return new Evaluation(rows, "unseen_file", file, all.size() - rows.size());
    }

    private static Set<String> trainingTexts(HeadProvenance provenance) throws IOException {
        // A head records its file relative to the data directory, or to the data folders' root for models/...
        Path trainedOn = SharedData.find(provenance.data().startsWith("models/") ? provenance.data()
                : "data/" + provenance.data()).orElse(null);
        if (trainedOn == null || !Files.isRegularFile(trainedOn)
                || !LabelledText.sha256(trainedOn).equals(provenance.dataSha256())) {
            return Set.of();
        }
        List<LabelledText> rows = provenance.labelField().startsWith("majority")
                ? SelfKnowledgeTrainer.readRecordedSamples(trainedOn)
                : LabelledText.readJsonl(trainedOn, provenance.textField(), provenance.labelField());
        Set<Integer> heldOut = new HashSet<>();
        for (int index : HeadTrainer.heldOutIndices(
                rows.stream().map(LabelledText::label).toList(), provenance.seed(), provenance.heldOutFraction())) {
            heldOut.add(index);
        }
        Set<String> texts = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            if (!heldOut.contains(i)) {
                texts.add(rows.get(i).text());
            }
        }
        return texts;
    }

    private record Evaluation(List<LabelledText> rows, String split, Path file, int excludedSeen) {

        List<String> texts() {
            return rows.stream().map(LabelledText::text).toList();
        }

        List<Boolean> labels() {
            return rows.stream().map(LabelledText::label).toList();
        }

        BenchReport describe(BenchReport report) {
            report.put("file", file.toString()).put("split", split);
            if (split.equals("unseen_file")) {
                report.put("excluded_training_rows", excludedSeen);
            }
            return report;
        }
    }
}
