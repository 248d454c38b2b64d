package dev.reasoningsdk.examples.cli;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.examples.cli.ModelOptions.Provider;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.LlmChainJudge;
import dev.reasoningsdk.impl.confidence.AnswerGroups;
import dev.reasoningsdk.impl.confidence.ConfidenceChatResponseMetadata;
import dev.reasoningsdk.impl.confidence.ConfidenceGatedChatModel;
import dev.reasoningsdk.impl.confidence.InconsistencyRationale;
import dev.reasoningsdk.impl.confidence.VerbalizedConfidence;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import dev.reasoningsdk.impl.openai.OpenAiChatModels;
import dev.reasoningsdk.impl.prompt.AutomateCot;
import dev.reasoningsdk.impl.prompt.ChatModelParaphraser;
import dev.reasoningsdk.impl.prompt.HyperparameterAwareGeneration;
import dev.reasoningsdk.impl.prompt.Paraphraser;
import dev.reasoningsdk.impl.prompt.SelfDiscover;
import dev.reasoningsdk.impl.retrieval.LlmPromptedCriterion;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Every component that calls a chat model, through the real LangChain4j OpenAI and Ollama clients, against a
 * {@link FaultInjectingServer} that injects one {@link HttpFault} into every request: the matrix behind
 * {@code reasoning bench faults} and the real-HTTP tests. One cell is (component, fault, client): a fresh server
 * whose every chat request gets the fault, a fresh client and gateway, one run of the component, and what came of it
 * (its answer, fallback, stop reason or exception), with the requests counted at the server and the usage the
 * component reported.
 *
 * <p>A cell whose fault is about time (a hang, a trickle, a Retry-After, a 10 MiB answer) runs with small limits
 * ({@link #CALL_TIMEOUT}, {@link #DEADLINE}); every other cell with roomy ones ({@link #ROOMY_CALL_TIMEOUT},
 * {@link #ROOMY_DEADLINE}), so a loaded machine cannot turn the control or an instant failure into a timeout; all
 * share {@link #RETRY_POLICY}. A cell's time is bounded by configuration, never measured; its calls are bounded by
 * {@link Component#callBound()}, derived from the component's structure and the retry policy.
 */
final class FaultMatrix {

    /** Each attempt's limit, and the HTTP client's timeout. */
    static final Duration CALL_TIMEOUT = Duration.ofMillis(300);
    /** Each scope's limit: one technique run, retries and waits included. */
    static final Duration DEADLINE = Duration.ofMillis(1200);
    /**
     * Each attempt's limit where the fault is not about time: the server answers (or fails) at once, so only a
     * loaded machine could reach it.
     */
    static final Duration ROOMY_CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Each scope's limit where the fault is not about time. */
    static final Duration ROOMY_DEADLINE = Duration.ofSeconds(20);
    /** The server's Retry-After on a 429: within the backoff cap, so it is waited once, then the deadline is near. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** Three attempts per call, short backoff, Retry-After honoured up to one second. */
    static final RetryPolicy RETRY_POLICY = RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(50))
            .maxBackoff(Duration.ofSeconds(1)).build();
    /** The most attempts one protected call makes: the retry policy's, plus the one retry of a blank reply. */
    static final int ATTEMPTS_PER_CALL = RETRY_POLICY.maxAttempts() + 1;
    /** The most calls in flight per gateway. */
    static final int CONCURRENCY = 4;

    private static final String QUESTION = "Ana has 7 shells. She finds 4 more. How many shells does she have?";

    private FaultMatrix() {
    }

    /** The provider client a cell calls through. */
    enum Client {
        /** {@code langchain4j-open-ai}'s {@code OpenAiChatModel} on {@code /v1/chat/completions}. */
        OPENAI(Provider.OPENAI, FaultInjectingServer.OPENAI_PATH),
        /** {@code langchain4j-ollama}'s {@code OllamaChatModel} on {@code /api/chat}. */
        OLLAMA(Provider.OLLAMA, FaultInjectingServer.OLLAMA_PATH);

        private final Provider provider;
        private final String path;

        Client(Provider provider, String path) {
            this.provider = provider;
            this.path = path;
        }

        /** The client as the CLI builds it ({@link RemoteModel#chatModel}): retries 0, the given timeout. */
        ChatModel model(FaultInjectingServer server, Duration timeout) {
            String baseUrl = this == OPENAI ? server.openAiBaseUrl() : server.ollamaBaseUrl();
            return RemoteModel.chatModel(new ModelEndpoint(provider, baseUrl, "fault-matrix", "none", 0, timeout,
                    OpenAiChatModels.DEFAULT_TOP_LOGPROBS));
        }

        String path() {
            return path;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The faults of the matrix, and {@code none} as the control. */
    enum Fault {
        NONE(HttpFault.none(), null),
        RATE_LIMITED_RETRY_AFTER(HttpFault.rateLimited(RETRY_AFTER), CallFailure.RATE_LIMITED),
        HTTP_500(HttpFault.serverError(500), CallFailure.SERVER_ERROR),
        HTTP_503(HttpFault.serverError(503), CallFailure.SERVER_ERROR),
        RESET(HttpFault.reset(), CallFailure.CONNECTION),
        HANG(HttpFault.hang(), CallFailure.TIMEOUT),
        TRICKLE(HttpFault.trickle(Duration.ofMillis(50)), CallFailure.TIMEOUT),
        INVALID_JSON(HttpFault.invalidJson(), CallFailure.GARBAGE),
        EMPTY_ANSWER(HttpFault.emptyAnswer(), CallFailure.GARBAGE),
        HUGE_ANSWER(HttpFault.hugeAnswer(), null);

        private final HttpFault fault;
        private final CallFailure expected;

        Fault(HttpFault fault, CallFailure expected) {
            this.fault = fault;
            this.expected = expected;
        }

        HttpFault fault() {
            return fault;
        }

        /** Whether the fault tests time limits: a hang, a trickle, a Retry-After, an answer too big to read fast. */
        boolean aboutTime() {
            return this == HANG || this == TRICKLE || this == RATE_LIMITED_RETRY_AFTER || this == HUGE_ANSWER;
        }

        /** Each attempt's limit in this fault's cells. */
        Duration callTimeout() {
            return aboutTime() ? CALL_TIMEOUT : ROOMY_CALL_TIMEOUT;
        }

        /** Each scope's limit in this fault's cells. */
        Duration deadline() {
            return aboutTime() ? DEADLINE : ROOMY_DEADLINE;
        }

        /** The failure kind the fault should be counted under, when it has one fixed kind. */
        Optional<CallFailure> expectedKind() {
            return Optional.ofNullable(expected);
        }

        /** Whether no request can succeed under this fault: every model call must be a failed call. */
        boolean alwaysFails() {
            return this != NONE && this != HUGE_ANSWER;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a cell's run came to. */
    enum Kind {
        /** The component answered from the model. */
        ANSWER,
        /** The component returned its documented fallback (no model answer). */
        FALLBACK,
        /** The component threw. */
        EXCEPTION
    }

    /**
     * What one run came to.
     *
     * @param kind   answer, fallback or exception
     * @param detail a short description: the answer, the stop reason, the exception's type and message
     * @param error  the exception thrown, for {@link Kind#EXCEPTION}
     * @param usage  the usage the component reported, in its result or its exception; empty when it threw an
     *               exception that is not the SDK's (which carries none)
     * @param batch  the sampler's batch, whose samples and failures carry the tokens of the replies drawn for them;
     *               empty for every other component
     */
    record Outcome(Kind kind, String detail, Throwable error, Optional<Usage> usage, Optional<SampleBatch> batch) {
        /** One line, at most 160 characters, for tables. */
        Outcome {
            detail = detail.replaceAll("\\s+", " ").strip();
            detail = detail.length() > 160 ? detail.substring(0, 157) + "..." : detail;
        }

        static Outcome answer(String detail, Usage usage) {
            return new Outcome(Kind.ANSWER, detail, null, Optional.of(usage), Optional.empty());
        }

        static Outcome fallback(String detail, Usage usage) {
            return new Outcome(Kind.FALLBACK, detail, null, Optional.of(usage), Optional.empty());
        }

        static Outcome of(boolean answered, String detail, Usage usage) {
            return answered ? answer(detail, usage) : fallback(detail, usage);
        }

        static Outcome of(SampleBatch batch, String detail) {
            return new Outcome(batch.samples().isEmpty() ? Kind.FALLBACK : Kind.ANSWER, detail, null,
                    Optional.of(batch.usage()), Optional.of(batch));
        }

        /** A thrown exception: the SDK's carry what the component spent before it failed, any other nothing. */
        static Outcome thrown(RuntimeException error) {
            Optional<Usage> usage = error instanceof ReasoningException failed
                    ? Optional.of(failed.usage()) : Optional.empty();
            return new Outcome(Kind.EXCEPTION, error.getClass().getSimpleName() + ": " + error.getMessage(), error,
                    usage, Optional.empty());
        }
    }

    /**
     * The tokens {@code batch}'s failures carry ({@code failures} true) or its samples carry, added with
     * {@link Usage#plus}: unknown when one count is.
     */
    static Usage tokensCarried(SampleBatch batch, boolean failures) {
        Stream<Usage> carried = failures
                ? batch.failures().stream().map(failure -> tokens(failure.inputTokens(), failure.outputTokens()))
                : batch.samples().stream().map(sample -> tokens(sample.inputTokens(), sample.outputTokens()));
        return carried.reduce(Usage.NONE, Usage::plus);
    }

    private static Usage tokens(long inputTokens, long outputTokens) {
        return new Usage(0, 0, 0, inputTokens, outputTokens, Duration.ZERO);
    }

    /**
     * One cell's result.
     *
     * @param component    the component run
     * @param fault        the fault on every request
     * @param client       the provider client
     * @param outcome      what the run came to
     * @param callsAtServer chat requests the server received
     */
    record Cell(Component component, Fault fault, Client client, Outcome outcome, int callsAtServer) {

        /** Whether the server saw no more requests than the component's bound, nor did the usage count more. */
        boolean bounded() {
            int bound = component.callBound();
            return callsAtServer <= bound && outcome.usage().map(u -> u.modelCalls() <= bound).orElse(true);
        }

        /** The cell as bench figures. */
        BenchReport report() {
            BenchReport report = new BenchReport().put("component", component.label()).put("fault", fault.label())
                    .put("client", client.label()).put("outcome", outcome.kind().name().toLowerCase(Locale.ROOT))
                    .put("detail", outcome.detail()).put("calls_at_server", callsAtServer)
                    .put("call_bound", component.callBound());
            outcome.usage().ifPresentOrElse(usage -> {
                BenchReport failures = new BenchReport();
                usage.failuresByKind().forEach((kind, count) -> failures.put(kind.name().toLowerCase(Locale.ROOT),
                        count));
                report.put("calls_in_usage", usage.modelCalls()).put("failed_calls", usage.failedCalls())
                        .put("failed_by_kind", failures).put("tokens_known", usage.tokensKnown())
                        .put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens());
            }, () -> report.put("calls_in_usage", "not reported").put("failed_calls", "not reported")
                    .put("failed_by_kind", new BenchReport()).put("tokens_known", "not reported")
                    .put("input_tokens", "not reported").put("output_tokens", "not reported"));
            outcome.batch().ifPresent(batch -> {
                Usage carried = tokensCarried(batch, true);
                report.put("failure_input_tokens", carried.inputTokens())
                        .put("failure_output_tokens", carried.outputTokens());
            });
            return report.put("bounded", bounded());
        }
    }

    /** A component of the matrix: how a healthy model answers it, how it is run, and its call bound. */
    enum Component {
        SAMPLER("ChatModelSampler", 4, FaultInjectingServer::reasoningReply) {
            @Override
            Outcome run(ModelGateway gateway) {
                try (ChatModelSampler sampler = ChatModelSampler.builder().gateway(gateway).temperature(0.7)
                        .build()) {
                    SampleBatch batch = sampler.sample(QUESTION, SAMPLES, 0);
                    return Outcome.of(batch, batch.samples().size() + "/" + SAMPLES + " samples, stop "
                            + batch.stopReason());
                }
            }
        },
        AOR_LLM_JUDGE("AggregationOfReasoning + LlmChainJudge", 0,
                prompt -> "Chain 1 Total Score: 8/10\nChain 2 Total Score: 3/10\n"
                + "Chain 3 Total Score: 7/10\nChain 4 Total Score: 2/10") {
            @Override
            Outcome run(ModelGateway gateway) {
                List<ReasoningChain> split = List.of(ReasoningChain.of("7 + 4 = 11. The answer is 11.", "a"),
                        ReasoningChain.of("Seven and four. The answer is 11.", "a"),
                        ReasoningChain.of("7 - 4 = 3. The answer is 3.", "b"),
                        ReasoningChain.of("Four fewer. The answer is 3.", "b"));
                AggregationResult result = AggregationOfReasoning.builder()
                        .scorer(LlmChainJudge.builder().gateway(gateway).build())
                        .extractor(AnswerExtractors.numeric()).build().aggregate(QUESTION, split);
                boolean judged = result.usage().modelCalls() > result.usage().failedCalls();
                return Outcome.of(judged, "answer " + result.answer().orElse("none") + ", stop "
                        + result.stopReason(), result.usage());
            }

            @Override
            int callBound() {
                // AoR's default judge bound: 3 calls per chain judged, retries included, exactly.
                return AggregationOfReasoning.DEFAULT_JUDGE_CALLS_PER_CHAIN * 4;
            }
        },
        VERBALIZED_CONFIDENCE("VerbalizedConfidence", 3 + 1,
                prompt -> FaultInjectingServer.reasoningReply(prompt) + "\nConfidence: 8") {
            @Override
            Outcome run(ModelGateway gateway) {
                ConfidenceEstimate estimate = VerbalizedConfidence.builder().gateway(gateway).build()
                        .estimate(QUESTION);
                boolean stated = estimate.signals().getOrDefault("verbalized_missing", 0.0) == 0.0;
                return Outcome.of(stated, (stated ? "confidence " + estimate.confidence() : "verbalized_missing")
                        + ", answer " + estimate.answer().orElse("none"), estimate.usage());
            }
        },
        INCONSISTENCY_RATIONALE("InconsistencyRationale", 1,
                prompt -> "Two chains add the shells and two subtract them; adding is right.") {
            @Override
            Outcome run(ModelGateway gateway) {
                AnswerGroups groups = AnswerGroups.of(List.of(ReasoningChain.of("The answer is 11."),
                        ReasoningChain.of("The answer is 3.")), AnswerExtractors.numeric());
                InconsistencyRationale.Rationale rationale = InconsistencyRationale.withGateway(gateway)
                        .explain(QUESTION, groups);
                return Outcome.of(rationale.fromModel(), rationale.fromModel() ? "rationale from the model"
                        : "deterministic rationale (fallback)", rationale.usage());
            }
        },
        PROMPTED_CRITERION("LlmPromptedCriterion", 1, prompt -> "0.9") {
            @Override
            Outcome run(ModelGateway gateway) {
                CriterionResult result = LlmPromptedCriterion.builder().gateway(gateway).kind(CriterionKind.TIME)
                        .build().evaluate("Who is the president of France?");
                boolean fromModel = result.evidence().startsWith("LLM replied");
                return Outcome.of(fromModel, "p=" + result.probability() + (fromModel ? "" : " (fallback: "
                        + result.evidence().replaceAll("(?s):.*", "") + ")"), result.usage());
            }
        },
        CONFIDENCE_GATED("ConfidenceGatedChatModel", 3, FaultInjectingServer::reasoningReply) {
            @Override
            Outcome run(ModelGateway gateway) {
                ChatResponse response = ConfidenceGatedChatModel.builder().gateway(gateway).samples(3).build()
                        .chat(ChatRequest.builder().messages(UserMessage.from(QUESTION)).build());
                ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) response.metadata();
                return Outcome.answer("answer " + metadata.estimate().answer().orElse("none") + ", confidence "
                        + metadata.confidence(), metadata.usage());
            }
        },
        AUTOMATE_COT("AutomateCot", 2 + 2, FaultInjectingServer::reasoningReply) {
            @Override
            Outcome run(ModelGateway gateway) {
                AutomateCot.Result result = AutomateCot.builder().gateway(gateway)
                        .extractor(AnswerExtractors.numeric()).steps(1).samplesPerStep(2).seed(7).build()
                        .run(List.of(new AutomateCot.LabeledQuestion("Add 3 and 4.", "7"),
                                new AutomateCot.LabeledQuestion("Add 10 and 5.", "15")),
                                List.of(new AutomateCot.LabeledQuestion("Add 2 and 2.", "4")));
                return Outcome.of(!result.candidates().isEmpty(), result.candidates().size() + " exemplars kept, "
                        + result.selected().size() + " selected", result.usage());
            }
        },
        SELF_DISCOVER("SelfDiscover", 3 + 1, FaultMatrix::selfDiscoverReply) {
            @Override
            Outcome run(ModelGateway gateway) {
                SelfDiscover selfDiscover = SelfDiscover.of(gateway, AnswerExtractors.numeric());
                SelfDiscover.ReasoningStructure structure = selfDiscover.discover(List.of(QUESTION));
                SelfDiscover.Solution solution = selfDiscover.solve(structure, QUESTION);
                return Outcome.answer("answer " + solution.answer().orElse("none"),
                        structure.usage().plus(solution.usage()));
            }
        },
        HYPERPARAMETER_AWARE("HyperparameterAwareGeneration", 2, prompt -> prompt.contains("decoding settings")
                ? "{\"temperature\": 0.2, \"top_p\": 0.9, \"top_k\": 40, \"frequency_penalty\": 0, "
                        + "\"presence_penalty\": 0}"
                : FaultInjectingServer.reasoningReply(prompt)) {
            @Override
            Outcome run(ModelGateway gateway) {
                HyperparameterAwareGeneration.Generation generation = HyperparameterAwareGeneration.builder()
                        .gateway(gateway).build().generate(QUESTION);
                return Outcome.answer("answered, settings " + (generation.settingsFromModel() ? "from the model"
                        : "fallback"), generation.usage());
            }
        },
        PARAPHRASER("ChatModelParaphraser", 1,
                prompt -> "Think it through step by step\nWork through it one step at a time\nReason carefully") {
            @Override
            Outcome run(ModelGateway gateway) {
                Paraphraser.Paraphrases paraphrases = ChatModelParaphraser.of(gateway, 3)
                        .paraphrase("Let's think step by step");
                return Outcome.of(!paraphrases.alternatives().isEmpty(), paraphrases.alternatives().size()
                        + " alternatives", paraphrases.usage());
            }
        };

        private static final int SAMPLES = 4;

        private final String label;
        private final int logicalCalls;
        private final Function<String, String> reply;

        Component(String label, int logicalCalls, Function<String, String> reply) {
            this.label = label;
            this.logicalCalls = logicalCalls;
            this.reply = reply;
        }

        /** Runs the component once through {@code gateway}. */
        abstract Outcome run(ModelGateway gateway);

        /**
         * The most requests the component may send in one run: its protected calls (the most its structure makes;
         * for verbalized confidence, three estimate attempts and a follow-up) times the attempts of one call.
         */
        int callBound() {
            return logicalCalls * ATTEMPTS_PER_CALL;
        }

        String label() {
            return label;
        }

        Function<String, String> reply() {
            return reply;
        }
    }

    /** A healthy model for SELF-DISCOVER: module numbers, an adaptation, a JSON plan, then the answer. */
    private static String selfDiscoverReply(String prompt) {
        if (prompt.startsWith("Select several")) {
            return "1. How could I devise an experiment to help solve that problem?\n9. Break the problem down.";
        }
        if (prompt.startsWith("Rephrase")) {
            return "Break the question into the numbers given and the operation asked for.";
        }
        if (prompt.startsWith("Operationalize")) {
            return "{\"numbers given\": \"\", \"operation\": \"\", \"result\": \"\"}";
        }
        return FaultInjectingServer.reasoningReply(prompt);
    }

    /**
     * One answered call through each client with a generous timeout, so that class loading and the first JIT
     * compilations are not charged to the first cells' 300 ms call timeouts.
     */
    static void warmUp() {
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            for (Client client : Client.values()) {
                client.model(server, Duration.ofSeconds(30)).chat("What is 1 + 1?");
            }
        }
    }

    /**
     * Runs one cell: a server injecting {@code fault} into every chat request, {@code client} against it, a gateway
     * with the matrix's limits, one run of {@code component}. Never throws for the component's failure: an
     * exception is the cell's outcome.
     */
    static Cell run(Component component, Fault fault, Client client) {
        FaultInjectingServer.Builder builder = FaultInjectingServer.builder().reply(component.reply());
        if (fault != Fault.NONE) {
            builder.random(0, Map.of(fault.fault(), 1.0));
        }
        try (FaultInjectingServer server = builder.start()) {
            ChatModel model = client.model(server, fault.callTimeout());
            Outcome outcome;
            try (ModelGateway gateway = ModelGateway.builder().model(model).name(component.name())
                    .concurrency(CONCURRENCY).callTimeout(fault.callTimeout()).deadline(fault.deadline())
                    .retryPolicy(RETRY_POLICY).build()) {
                try {
                    outcome = component.run(gateway);
                } catch (RuntimeException e) {
                    outcome = Outcome.thrown(e);
                }
            }
            return new Cell(component, fault, client, outcome, server.requests(client.path()));
        }
    }
}
