package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.retrieval.HeadProvenance;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.retrieval.LinearHead;
import dev.reasoningsdk.impl.training.HeadTrainer;
import dev.reasoningsdk.impl.training.SelfKnowledgeTrainer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code reasoning judge "query"}: whether a request needs retrieval, by Unified Active Retrieval on the embedded
 * encoder heads and the tiny reasoner's self-knowledge head, printed as JSON. {@code reasoning judge train ...}
 * trains a head.
 */
@Command(name = "judge", mixinStandardHelpOptions = true,
        description = "Decide whether a request needs retrieval (Unified Active Retrieval); prints JSON.",
        subcommands = {JudgeCommand.Train.class, CommandLine.HelpCommand.class})
public final class JudgeCommand implements Callable<Integer> {

    @Mixin
    private ModelOptions modelOptions;

    @Mixin
    private CacheOption cache;

    @Parameters(arity = "0..1", paramLabel = "QUERY", description = "The request to judge.")
    private String query;

    @Option(names = "--no-self-knowledge", description = "Leave out the self-knowledge criterion (the tiny "
            + "reasoner's hidden-state head, or a remote model's sampling consistency).")
    private boolean noSelfKnowledge;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (query == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give a QUERY to judge, or 'train'");
        }
        if (query.isBlank()) {
            // The heads read an empty embedding as confidently as any request ("intent 0.97"): no decision at all.
            throw new IllegalArgumentException("QUERY is blank: give the request to judge");
        }
        ModelEndpoint endpoint = modelOptions.endpoint();
        ModelOptions.refuseFolder(endpoint, "judge", "its self-knowledge head reads the embedded tiny reasoner's "
                + "hidden states; serve the folder with reasoning serve --model DIR and give --provider openai to "
                + "judge by sampling consistency");
        cache.requireRemote(endpoint);
        if (noSelfKnowledge && endpoint.isRemote()) {
            // Before, the decision came from the local heads alone and the endpoint was printed with no call made.
            throw new IllegalArgumentException("--no-self-knowledge leaves --provider " + endpoint.providerName()
                    + " nothing to answer: the remote model serves only the self-knowledge criterion (intent, "
                    + "knowledge and time are local encoder heads)");
        }
        RemoteModel.requireReachable(endpoint, cache);
        RemoteModel remote = endpoint.isRemote() ? new RemoteModel(endpoint, cache) : null;
        try (CacheOption closing = cache; remote;
             RetrievalSetup setup = remote != null && !noSelfKnowledge ? new RetrievalSetup(remote)
                : new RetrievalSetup(noSelfKnowledge ? RetrievalSetup.Reasoner.NONE
                        : RetrievalSetup.Reasoner.INT8_HIDDEN_STATES)) {
            RetrievalDecision decision = setup.judge().judge(query);
            BenchReport report = new BenchReport().put("query", query).put("retrieve", decision.retrieve())
                    .put("decided_by", decision.decidedBy().map(RetrievalSetup::cliName).orElse("default"));
            Map<String, Object> criteria = new LinkedHashMap<>();
            for (CriterionKind kind : CriterionKind.values()) {
                CriterionResult result = decision.criteria().get(kind);
                if (result != null) {
                    criteria.put(RetrievalSetup.cliName(kind), Map.of("probability", result.probability(),
                            "evidence", result.evidence()));
                }
            }
            if (remote != null) {
                // With no criterion deciding, the remote self-knowledge criterion had no usable reply (it settles
                // whenever it has one): UAR's default then stands for the failed calls, not for a judgement.
                report.put("endpoint", decision.decidedBy().isEmpty()
                        ? remote.describeUsable(decision.usage(), "no verdict (no criterion settled it)")
                        : remote.describe(decision.usage()));
            }
            cache.report(report);
            report.put("criteria", criteria).put("wall_ms", decision.usage().wallTime().toNanos() / 1e6);
            report.print(System.out, true);
        }
        return 0;
    }

    /**
     * {@code reasoning judge train}: trains a class-weighted logistic head on the MiniLM embeddings of a labelled
     * JSONL file (or, for self-knowledge, on the tiny reasoner's hidden states of its eval problems), holding out a
     * fixed-seed split, and writes the head with its provenance and held-out figures.
     */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a criterion head from labelled JSONL and save it as JSON.")
    static final class Train implements Callable<Integer> {

        @Mixin
        private ExecutionProviderOption executionProvider;

        @Option(names = "--criterion", required = true,
                description = "intent, knowledge, time or self-knowledge.")
        private String criterion;

        @Option(names = "--data", required = true, description = "Labelled JSONL file (self-knowledge: the tiny "
                + "reasoner's eval-problems.jsonl with prompt, answer and model_sample_answers).")
        private Path data;

        @Option(names = "--label", description = "Boolean label field (default: needs_tool, knowledge_intensive, "
                + "time_sensitive).")
        private String label;

        @Option(names = "--text", description = "Text field (default: query, text, question).")
        private String text;

        @Option(names = "--out", required = true, description = "Where to write the head JSON.")
        private Path out;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the held-out split (default 42).")
        private long seed;

        @Option(names = "--held-out", defaultValue = "0.2", description = "Held-out fraction (default 0.2).")
        private double heldOut;

        @Option(names = "--features", defaultValue = "0", description = "Encoder heads: what the head reads "
                + "besides the embedding, +-joined: layerK, the encoder's layer K mean-pooled (0: embedding layer, "
                + "6: last); and word uni/bigram indicators, N hashed slots or vN, one per n-gram found in at least "
                + "N training rows. E.g. v2+layer2. Default 0: the embedding alone.")
        private String features;

        @Option(names = "--feature-sets", split = ",", description = "Encoder heads: choose --features from these "
                + "(e.g. v2,v2+layer2) by repeated 5-fold cross-validation on the training rows (the held-out rows "
                + "are not read), as verifier train chooses its feature sets.")
        private List<String> featureSets;

        /** {@code --feature-sets}' deprecated name ({@link DeprecatedOption}). */
        @Option(names = "--feature-grid", split = ",", hidden = true,
                description = DeprecatedOption.PREFIX + "--feature-sets")
        void featureGrid(List<String> sets) {
            featureSets = sets;
        }

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--cv-repeats", defaultValue = "5", description = "Repeats of the cross-validation behind "
                + "--feature-sets (default 5).")
        private int cvRepeats;

        @Option(names = "--model", paramLabel = "DIR", description = "Self-knowledge only: train on the hidden "
                + "states of this Hugging Face ONNX export folder, its chat template as the prompt (default: the "
                + "embedded tiny reasoner). Label its own answers: --resample K, or model_sample_answers it gave.")
        private Path modelFolder;

        @Option(names = "--resample", defaultValue = "0", description = "Self-knowledge only: label by K fresh "
                + "samples per problem at T=0.8 from the model instead of the recorded samples (slow on CPU).")
        private int resample;

        @Override
        public Integer call() throws Exception {
            DeprecatedOption.refuseBoth(spec, "--feature-grid", "--feature-sets");
            CriterionKind kind = parseKind(criterion);
            TextFiles.requireRegularFile(data);
            OutFolder.file(out, data, modelFolder);
            HeadTrainer.FeatureSpec featureSpec = HeadTrainer.FeatureSpec.parse(features);
            HeadTrainer.FeatureSpec embeddingAlone = HeadTrainer.FeatureSpec.parse("0");
            if (kind == CriterionKind.SELF_KNOWLEDGE && !featureSpec.equals(embeddingAlone)) {
                throw new IllegalArgumentException("--features is for encoder heads, not self-knowledge");
            }
            if (featureSets != null && (kind == CriterionKind.SELF_KNOWLEDGE || !featureSpec.equals(embeddingAlone)
                    || cvRepeats < 1)) {
                throw new IllegalArgumentException("--feature-sets is for encoder heads, without --features, with "
                        + "--cv-repeats >= 1");
            }
            HeadTrainer trainer = HeadTrainer.builder().seed(seed).heldOutFraction(heldOut)
                    .features(featureSpec).build();
            HeadTrainer.FeatureSelection featureSelection = null;
            LinearHead head;
            if (modelFolder != null && kind != CriterionKind.SELF_KNOWLEDGE) {
                throw new IllegalArgumentException("--model is for self-knowledge heads");
            }
            if (resample < 0) {
                throw new IllegalArgumentException("--resample must be >= 1 fresh samples per problem (leave it out "
                        + "to label by the recorded model_sample_answers), was " + resample);
            }
            if (resample > 0 && kind != CriterionKind.SELF_KNOWLEDGE) {
                throw new IllegalArgumentException("--resample is for self-knowledge heads");
            }
            if (modelFolder != null && resample == 0 && LabelledText.sha256(data)
                    .equals(HiddenStateSelfKnowledge.shippedHead().provenance().dataSha256())) {
                // Self-knowledge labels must be the answering model's own: these would teach the folder's hidden
                // states whether the tiny reasoner knows each answer.
                throw new IllegalArgumentException(data + ": its model_sample_answers are the embedded tiny "
                        + "reasoner's samples (the shipped head's training file), not " + modelFolder.getFileName()
                        + "'s; label by the folder's own answers with --resample K");
            }
            if (kind == CriterionKind.SELF_KNOWLEDGE) {
                CausalLanguageModel subject;
                UnaryOperator<String> promptFormat;
                AutoCloseable owner;
                if (modelFolder != null) {
                    HuggingFaceOnnxModel folder = HuggingFaceOnnxModel.of(modelFolder);
                    subject = folder;
                    promptFormat = folder::formatPrompt;
                    owner = folder;
                } else {
                    RetrievalSetup setup = new RetrievalSetup(RetrievalSetup.Reasoner.FLOAT32);
                    subject = setup.reasoner;
                    promptFormat = HiddenStateSelfKnowledge.QUESTION_ANSWER_FORMAT;
                    owner = setup;
                }
                try (owner) {
                    List<LabelledText> rows;
                    String labelName;
                    if (resample > 0) {
                        Progress progress = new Progress("sampling");
                        List<SelfKnowledgeTrainer.Problem> problems = SelfKnowledgeTrainer.readProblems(data);
                        rows = SelfKnowledgeTrainer.labelBySampling(subject, promptFormat, problems, resample,
                                GenerationOptions.sampling(0.8, 200, seed), AnswerExtractors.numeric(),
                                done -> progress.update(done, problems.size()));
                        labelName = "majority of " + resample + " fresh samples (T=0.8) equals answer";
                    } else {
                        rows = SelfKnowledgeTrainer.readRecordedSamples(data);
                        labelName = "majority of model_sample_answers equals answer";
                    }
                    Progress progress = new Progress("hidden states");
                    head = SelfKnowledgeTrainer.train(subject, promptFormat, rows, trainer,
                            new HeadTrainer.DataRecord(RetrievalSetup.dataName(data), LabelledText.sha256(data),
                                    "question", labelName),
                            done -> progress.update(done, rows.size()));
                }
            } else {
                String textField = text != null ? text : defaultText(kind);
                String labelField = label != null ? label : defaultLabel(kind);
                try (RetrievalSetup setup = new RetrievalSetup(RetrievalSetup.Reasoner.NONE)) {
                    if (featureSets != null) {
                        featureSelection = trainer.selectFeatures(kind, setup.encoder, data, textField,
                                labelField, featureSets.stream().map(HeadTrainer.FeatureSpec::parse).toList(), 5,
                                cvRepeats);
                        trainer = HeadTrainer.builder().seed(seed).heldOutFraction(heldOut)
                                .features(featureSelection.best()).build();
                    }
                    head = trainer.trainOnEncoder(kind, setup.encoder, data, RetrievalSetup.dataName(data),
                            textField, labelField);
                }
            }
            head.save(out);
            HeadProvenance provenance = head.provenance();
            BenchReport report = new BenchReport().put("criterion", RetrievalSetup.cliName(kind))
                    .put("out", out.toString()).put("feature_model", head.featureModelId())
                    .put("rows", provenance.rows()).put("train_rows", provenance.trainRows())
                    .put("held_out_rows", provenance.heldOutRows()).put("l2", provenance.l2())
                    .put("features", featureSelection != null ? featureSelection.best().toString() : features)
                    .put("pooled_layers", head.pooledLayers())
                    .put("lexical_features", head.lexicalFeatures());
            if (featureSelection != null) {
                Map<String, Object> byFeatures = new LinkedHashMap<>();
                for (var entry : featureSelection.accuracyPerRepeat().entrySet()) {
                    byFeatures.put(entry.getKey().toString(), Map.of(
                            "mean_accuracy", featureSelection.meanAccuracy(entry.getKey()),
                            "per_repeat", entry.getValue()));
                }
                report.put("feature_cross_validation", byFeatures);
            }
            report.put("held_out", BenchRetrievalCommand.figures(provenance.heldOut())).print(System.out, true);
            return 0;
        }

        static CriterionKind parseKind(String name) {
            for (CriterionKind kind : CriterionKind.values()) {
                if (RetrievalSetup.cliName(kind).equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown criterion '" + name
                    + "': use intent, knowledge, time or self-knowledge");
        }

        static String defaultText(CriterionKind kind) {
            return switch (kind) {
                case INTENT -> "query";
                case KNOWLEDGE -> "text";
                case TIME -> "question";
                case SELF_KNOWLEDGE -> "question";
            };
        }

        static String defaultLabel(CriterionKind kind) {
            return switch (kind) {
                case INTENT -> "needs_tool";
                case KNOWLEDGE -> "knowledge_intensive";
                case TIME -> "time_sensitive";
                case SELF_KNOWLEDGE -> "model_sample_answers";
            };
        }
    }
}
