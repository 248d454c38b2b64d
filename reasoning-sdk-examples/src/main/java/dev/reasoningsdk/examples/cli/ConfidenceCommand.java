package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.examples.cli.ModelOptions.Provider;
import dev.reasoningsdk.impl.confidence.FittedCalibrator;
import dev.reasoningsdk.impl.confidence.RefusalPolicy;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.confidence.VerbalizedConfidence;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.Sampling;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reasoning confidence [--method M] [model options] "QUESTION"}: answers one question and says how far the
 * answer can be trusted, on the embedded tiny reasoner (offline, the default), a served model ({@code --provider
 * openai|ollama --base-url URL --model NAME}) or a Hugging Face ONNX export folder ({@code --model DIR}), printing one
 * JSON object: the answer, the confidence (calibrated with {@code --calibrator}), the rationale, whether it is refused
 * below {@code --threshold}, the method's signals, and what it cost, under the names and with the {@code endpoint}
 * block {@code solve} prints.
 *
 * <p>Methods, each a {@code dev.reasoningsdk.impl.confidence} estimator:
 * <ul>
 *   <li>{@code consistency} (default): self-consistency's agreement (Wang et al., 2023), {@link SamplingConsistency}
 *       over {@code --samples} chains (default {@value #DEFAULT_SAMPLES}, at least 2: one chain always agrees with
 *       itself) drawn at {@code --temperature} (default {@value #SAMPLING_TEMPERATURE}), sample {@code i} with seed
 *       {@code --seed + i}.</li>
 *   <li>{@code verbalized}: SaySelf (Xu et al., 2024), {@link VerbalizedConfidence}: the model states a
 *       self-reflection and a confidence from 1 to 10 (asked again, at most 3 calls in all, when it states none). Its
 *       requests carry no sampling options, so {@code --temperature}, {@code --seed} and {@code --max-tokens} are
 *       refused; it needs a served model (the embedded tiny reasoner answers arithmetic but states no confidence).
 *       </li>
 *   <li>{@code token-probability}: the mean probability of the answer's tokens ({@link TokenProbabilityConfidence},
 *       score {@code MEAN}, the {@code mean_token_probability} that {@code bench confidence} measures) of one chain
 *       drawn at {@code --temperature} (default 0, greedy, the estimator's own default) with seed {@code --seed}.
 *       </li>
 *   <li>{@code p-sure}: R-Tuning's P(sure) (Zhang et al., 2024): after that chain, the model is asked whether it is
 *       sure, and the confidence is {@code p(sure) / (p(sure) + p(unsure))} (the {@code p_sure} of
 *       {@code bench confidence}); {@code --top-logprobs} sets how many alternatives a served model lists, among which
 *       both words must be.</li>
 * </ul>
 * The last two need token log-probabilities. In process the tiny reasoner scores the chain; a served model must
 * return them. One that cannot ({@code --provider ollama}, whose client reads none) is refused before any call, and
 * one whose reply carries none ({@link LogProbsUnavailableException}) after its first: both are bad input (exit 2),
 * not a report with the method skipped as {@code bench confidence} has it, because here the method asked for is the
 * only figure the command prints; a run that printed none would exit 0 with nothing to trust, and running the same
 * command again meets the same server: change the method or the server.
 *
 * <p>The confidence is the estimator's raw score, or with {@code --calibrator FILE} that score mapped by a fitted
 * calibrator ({@link FittedCalibrator#toJson()}: Platt, isotonic or temperature scaling fitted on the same method's
 * raw scores of the application's own labelled questions). The answer is refused when it is below
 * {@code --threshold} (default {@value #DEFAULT_THRESHOLD}, {@code ConfidenceGatedChatModel}'s), as
 * {@link RefusalPolicy} decides it, or when there is no answer. A confidence the method could not get (a verbalized
 * one the model never stated, a P(sure) that could not be read) is not invented: it prints as null, is not
 * calibrated, and its answer is refused at any threshold; the rationale says why. So is consistency's when fewer
 * than 2 of its chains came back (the rest failed, or {@code --max-calls} ran out): one chain's agreement of 1 is no
 * evidence.
 *
 * <p>Failures as {@code solve} has them: bad input (an unknown method, {@code --samples} below 1, or 1 with
 * consistency, a threshold outside [0, 1], {@code --top-logprobs} below 2 with p-sure, an option the method does not
 * read, a calibrator file that cannot be read
 * or is not one, an endpoint that refused every call as a wrong URL, model or key) exits 2 with one line and nothing
 * on stdout; a run in which no model call was answered (no chain sampled, or every verbalized call failed) exits 1 the
 * same way. A verbalized run whose replies all came but never stated a confidence is reported (confidence null,
 * refused): the model answered, and that is what it said.
 */
@Command(name = "confidence", mixinStandardHelpOptions = true,
        description = "Answer one question and estimate how far the answer can be trusted (consistency, verbalized, "
                + "token-probability, p-sure) on the embedded tiny reasoner or your own model, printing one JSON "
                + "object.")
final class ConfidenceCommand implements Callable<Integer> {

    /** The method without {@code --method}: the one every model supports, black-box. */
    static final String DEFAULT_METHOD = "consistency";
    /** Consistency's chains by default: {@link SamplingConsistency}'s own default. */
    static final int DEFAULT_SAMPLES = 10;
    /** The refusal threshold by default: {@code ConfidenceGatedChatModel}'s. */
    static final double DEFAULT_THRESHOLD = 0.5;
    /** Consistency's temperature by default: the one {@code solve} and the live benches sample at. */
    static final double SAMPLING_TEMPERATURE = BenchAggregateCommand.TEMPERATURE;

    private static final List<String> METHODS = List.of("consistency", "verbalized", "token-probability", "p-sure");

    /** Each method's own options: an option in another method's list is refused when not in the chosen one's. */
    private static final Map<String, List<String>> OPTIONS_BY_METHOD = Map.of(
            "consistency", List.of("--samples", "--temperature", "--max-tokens", "--seed"),
            "verbalized", List.of(),
            "token-probability", List.of("--temperature", "--max-tokens", "--seed"),
            "p-sure", List.of("--temperature", "--max-tokens", "--seed", "--top-logprobs"));

    @Mixin
    private ModelOptions modelOptions;

    @Mixin
    private CacheOption cache;

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "QUESTION", description = "The question to answer, in quotes.")
    String question;

    @Option(names = "--method", paramLabel = "M", description = "consistency, verbalized, token-probability or "
            + "p-sure (default: " + DEFAULT_METHOD + ").")
    String method = DEFAULT_METHOD;

    @Option(names = "--samples", paramLabel = "N", description = "Chains consistency samples, at least 2 "
            + "(default: ${DEFAULT-VALUE}).")
    int samples = DEFAULT_SAMPLES;

    @Option(names = "--threshold", paramLabel = "T", description = "Refuse the answer below this confidence, in "
            + "[0, 1] (default: ${DEFAULT-VALUE}; 0 never refuses an answer that has a confidence).")
    double threshold = DEFAULT_THRESHOLD;

    @Option(names = "--calibrator", paramLabel = "FILE", description = "A fitted calibrator as JSON "
            + "(FittedCalibrator.toJson: platt, isotonic or temperature), fitted on this method's raw confidences; "
            + "the threshold applies to the calibrated confidence.")
    Path calibratorFile;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default: "
            + SAMPLING_TEMPERATURE + " for consistency, 0 for token-probability and p-sure).")
    Double temperature;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Most tokens per sampled chain (default: the "
            + "model's context, or a served model's own length); sent to a served model with each sample "
            + "(max_tokens, Ollama's num_predict).")
    Integer maxTokens;

    @Option(names = "--seed", description = "First seed: sample i has seed + i (default: ${DEFAULT-VALUE}).")
    long seed = BenchAggregateCommand.DEFAULT_SEED;

    @Override
    public Integer call() throws IOException {
        if (question.isBlank()) {
            throw new IllegalArgumentException("QUESTION is blank: give the question to answer, in quotes");
        }
        ModelOptions.requireOneOf(method, METHODS, "--method");
        ModelOptions.refuseOtherMethodsOptions(spec, method, OPTIONS_BY_METHOD);
        Arguments.atLeast(samples, 1, "--samples");
        if (samples == 1 && isConsistency()) {
            throw new IllegalArgumentException("--samples must be >= 2 with --method consistency (one chain always "
                    + "agrees with itself), was 1");
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("--threshold must be in [0, 1], was " + threshold);
        }
        ModelOptions.requireSampling(temperature(), maxTokens);
        FittedCalibrator calibrator = readCalibrator();
        ModelEndpoint endpoint = modelOptions.endpoint();
        cache.requireRemote(endpoint);
        if ("verbalized".equals(method) && !endpoint.isServed()) {
            throw new IllegalArgumentException("--method verbalized needs a served model (--provider openai or "
                    + "ollama, or --model DIR): the embedded tiny reasoner answers arithmetic but cannot state a "
                    + "confidence");
        }
        if (needsLogProbs() && endpoint.provider() == Provider.OLLAMA) {
            throw new IllegalArgumentException("--method " + method + " needs log-probabilities: --provider ollama "
                    + "returns none; give --provider openai with a server that returns logprobs (Ollama's /v1, "
                    + "vLLM, llama.cpp, reasoning serve), or --method consistency or verbalized");
        }
        if ("p-sure".equals(method) && endpoint.isServed() && endpoint.topLogprobs() < 2) {
            // Fewer alternatives than the two words cannot hold both: every call would be spent on a null
            // confidence (1), or on a request for log-probabilities the server then returns without (0).
            throw new IllegalArgumentException("--top-logprobs must be >= 2 with --method p-sure (\"sure\" and "
                    + "\"unsure\" must both be among the alternatives), was " + endpoint.topLogprobs());
        }
        RemoteModel.requireReachable(endpoint, cache);
        BenchReport report;
        try (CacheOption closing = cache) {
            Estimated estimated = endpoint.isServed() ? estimateServed(endpoint) : estimateEmbedded(endpoint);
            report = report(estimated, calibrator).put("endpoint", estimated.endpoint());
            cache.report(report);
        }
        report.print(System.out, true);
        return 0;
    }

    private boolean isConsistency() {
        return "consistency".equals(method);
    }

    private boolean needsLogProbs() {
        return "token-probability".equals(method) || "p-sure".equals(method);
    }

    /** {@code --temperature}, or the method's default. */
    private double temperature() {
        return temperature != null ? temperature : isConsistency() ? SAMPLING_TEMPERATURE : 0;
    }

    /**
     * The calibrator of {@code --calibrator}, or null without it.
     *
     * @throws IllegalArgumentException naming the file if it holds no fitted calibrator
     */
    private FittedCalibrator readCalibrator() throws IOException {
        if (calibratorFile == null) {
            return null;
        }
        String json = TextFiles.read(calibratorFile);
        try {
            return FittedCalibrator.fromJson(json);
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException("--calibrator " + calibratorFile + ": " + malformed.getMessage(),
                    malformed);
        }
    }

    /** The method on the embedded tiny reasoner, in process. */
    private Estimated estimateEmbedded(ModelEndpoint endpoint) {
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            ModelEndpoint.requireReadable(model, question, "it", "QUESTION");
            long started = System.nanoTime();
            ConfidenceEstimate estimate = estimate(SolveCommand.localSampler(model, temperature(), maxTokens), null,
                    LiveConfidenceBench.tinyReasonerTokenScorer(model), model.modelId());
            return new Estimated(estimate, Duration.ofNanos(System.nanoTime() - started),
                    endpoint.describe().put("model", model.modelId()));
        }
    }

    /** The method on a served model, or on an export folder served on loopback in process. */
    private Estimated estimateServed(ModelEndpoint endpoint) {
        try (HuggingFaceOnnxModel folder = endpoint.isFolder() ? endpoint.folderLoader().build() : null;
             RemoteModel remote = RemoteModel.open(endpoint, folder, cache)) {
            ModelEndpoint.requireFolderReads(folder, question, maxTokens);
            long started = System.nanoTime();
            ConfidenceEstimate estimate;
            try {
                estimate = estimate(remote.sampler(temperature(), maxTokens), remote.gateway(),
                        TokenProbabilityConfidence.builder().gateway(remote.gateway()), endpoint.model());
            } catch (ReasoningException failed) {
                // An endpoint that refused every call (a wrong URL, model or key, or a request it refuses) is bad
                // input, not a failed run.
                remote.describe(Usage.NONE);
                throw failed;
            }
            return new Estimated(estimate, Duration.ofNanos(System.nanoTime() - started),
                    remote.describe(estimate.usage()));
        }
    }

    /**
     * The estimate of {@code --method}: its chains drawn by {@code sampler}, a verbalized confidence asked through
     * {@code gateway} (served models only), token probabilities scored by {@code tokenScorer} (set to the model).
     *
     * @param source the model's name, as a failed run's line names it
     * @throws ReasoningException if no model call was answered
     */
    private ConfidenceEstimate estimate(ChainSampler sampler, ModelGateway gateway,
                                        TokenProbabilityConfidence.Builder tokenScorer, String source) {
        if (isConsistency()) {
            BatchRecorder recorder = new BatchRecorder(sampler);
            ConfidenceEstimate estimate = SamplingConsistency.builder().sampler(recorder, temperature())
                    .samples(samples).seed(seed).build().estimate(question);
            requireSampled(sampler.name(), recorder.batch);
            return estimate;
        }
        if (!needsLogProbs()) {
            return requireAnswered(VerbalizedConfidence.builder().gateway(gateway).build().estimate(question),
                    source);
        }
        long started = System.nanoTime();
        SampleBatch batch = sampler.sample(question, 1, seed);
        requireSampled(sampler.name(), batch);
        boolean pSure = "p-sure".equals(method);
        ConfidenceEstimate scored;
        try {
            scored = tokenScorer.score(TokenProbabilityConfidence.Score.MEAN).askIfSure(pSure).build()
                    .estimate(question, batch.chains(sampler.name()));
        } catch (LogProbsUnavailableException unavailable) {
            // Bad input, as the bench's "skipped: needs log-probabilities": this server cannot give this method.
            throw new IllegalArgumentException("--method " + method + " needs log-probabilities: "
                    + unavailable.getMessage(), unavailable);
        }
        double confidence = pSure ? scored.signals().getOrDefault("p_sure", 0.0) : scored.confidence();
        return new ConfidenceEstimate(scored.answer(), confidence, scored.rationale(), scored.method(),
                scored.signals(), batch.usage().plus(scored.usage())
                        .withWallTime(Duration.ofNanos(System.nanoTime() - started)));
    }

    /**
     * Refuses a batch with no chain, as {@code solve} refuses a run that sampled nothing.
     *
     * @throws ReasoningException "no chain could be sampled from SOURCE; N failures, first: ..."
     */
    private static void requireSampled(String source, SampleBatch batch) {
        if (batch.samples().isEmpty()) {
            throw Sampling.noChainSampled(source, Sampling.failureSummary(batch.failures()),
                    batch.stopReason() == StopReason.BUDGET_EXHAUSTED, batch.usage());
        }
    }

    /**
     * Refuses an estimate none of whose model calls was answered: every one failed, and none came back with a reply
     * (a blank reply is none, as it is no chain for the other methods; a reply without a confidence is one), as
     * {@link VerbalizedConfidence}'s {@code unanswered} signal says (1 whenever no call brought a reply, whatever
     * the failures' kinds).
     *
     * @throws ReasoningException naming the failed calls by kind and the estimate's rationale
     */
    private static ConfidenceEstimate requireAnswered(ConfidenceEstimate estimate, String source) {
        Usage usage = estimate.usage();
        boolean noReply = estimate.signals().getOrDefault("unanswered", 0.0) > 0;
        if (usage.modelCalls() > 0 && usage.failedCalls() == usage.modelCalls() && noReply) {
            String byKind = usage.failuresByKind().entrySet().stream()
                    .map(kind -> kind.getValue() + " " + kind.getKey().name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "));
            throw new ReasoningException("no call to " + source + " was answered (" + byKind + "): "
                    + estimate.rationale(), null, true, usage);
        }
        return estimate;
    }

    /**
     * Whether the method could not get a confidence at all: the estimate's 0 stands for none (a verbalized
     * confidence never stated, a P(sure) that could not be read), or, for consistency, fewer than 2 chains came back
     * (the others failed or the budget ran out), whose agreement of 1 is no evidence, as {@code --samples 1} is
     * refused for.
     */
    private boolean confidenceMissing(ConfidenceEstimate estimate) {
        return switch (method) {
            case "verbalized" -> estimate.signals().getOrDefault("verbalized_missing", 0.0) > 0;
            case "p-sure" -> !estimate.signals().containsKey("p_sure");
            default -> isConsistency() && estimate.signals().getOrDefault("samples", 0.0) < 2;
        };
    }

    /** The JSON the command prints, but for the endpoint. */
    private BenchReport report(Estimated estimated, FittedCalibrator calibrator) {
        ConfidenceEstimate estimate = estimated.estimate();
        OptionalDouble raw = confidenceMissing(estimate) ? OptionalDouble.empty()
                : OptionalDouble.of(estimate.confidence());
        OptionalDouble confidence = raw.isEmpty() || calibrator == null ? raw
                : OptionalDouble.of(calibrator.calibrate(raw.getAsDouble()));
        boolean refused = confidence.isEmpty() || RefusalPolicy.atThreshold(threshold)
                .decide(estimate.withConfidence(confidence.getAsDouble()), "").refused();
        BenchReport report = new BenchReport().put("method", method).put("technique", estimate.method())
                .put("answer", estimate.answer().orElse(null))
                .put("confidence", confidence.isPresent() ? confidence.getAsDouble() : null)
                .put("raw_confidence", raw.isPresent() ? raw.getAsDouble() : null)
                .put("calibrator", calibrator == null ? null : calibrator.name())
                .put("threshold", threshold).put("refused", refused)
                .put("rationale", isConsistency() && raw.isEmpty() ? estimate.rationale() + " One chain agrees "
                        + "with itself whatever it says, so no confidence is reported." : estimate.rationale())
                .put("signals", new TreeMap<>(estimate.signals()));
        // The cost under the names every command's usage has, timed around the method's whole run.
        BenchReport.usage(estimate.usage().withWallTime(estimated.wall())).figures().forEach(report::put);
        BenchReport settings = new BenchReport();
        if (!"verbalized".equals(method)) {
            settings.put("temperature", temperature()).put("seed", seed);
        }
        if (isConsistency()) {
            settings.put("samples", samples);
        }
        if (maxTokens != null) {
            settings.put("max_tokens", maxTokens);
        }
        return report.put("settings", settings);
    }

    /**
     * What one run gave.
     *
     * @param estimate the method's estimate
     * @param wall     how long the method ran (the model's loading left out)
     * @param endpoint the endpoint block, with a served model's calls as counted in front of it
     */
    private record Estimated(ConfidenceEstimate estimate, Duration wall, BenchReport endpoint) {
    }

    /**
     * A sampler that keeps the last batch it drew, so that a run whose every sample failed is reported with its
     * failures, as {@code solve} reports one, while {@link SamplingConsistency} draws the chains itself (and says in
     * its rationale how many failed).
     */
    private static final class BatchRecorder implements ChainSampler {
        private final ChainSampler delegate;
        private SampleBatch batch;

        BatchRecorder(ChainSampler delegate) {
            this.delegate = delegate;
        }

        @Override
        public SampleBatch sample(String prompt, int count, long firstSeed) {
            batch = delegate.sample(prompt, count, firstSeed);
            return batch;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public OptionalDouble temperature() {
            return delegate.temperature();
        }
    }
}
