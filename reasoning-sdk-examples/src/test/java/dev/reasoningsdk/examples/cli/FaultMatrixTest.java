package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.examples.cli.FaultMatrix.Cell;
import dev.reasoningsdk.examples.cli.FaultMatrix.Client;
import dev.reasoningsdk.examples.cli.FaultMatrix.Component;
import dev.reasoningsdk.examples.cli.FaultMatrix.Fault;
import dev.reasoningsdk.examples.cli.FaultMatrix.Kind;
import dev.reasoningsdk.examples.cli.FaultMatrix.Outcome;
import dev.reasoningsdk.impl.llm.LlmCallException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every component that calls a chat model, through the real {@code langchain4j-open-ai} and {@code langchain4j-ollama}
 * clients, against {@code FaultInjectingServer} injecting each fault into every request (and no fault, the
 * control): one parameterized test (fault x client) per component. Each cell checks that the run ended in the
 * component's documented way (its answer, its fallback or the SDK's typed exception, never a LangChain4j one), that
 * the server received no more requests than the bound derived from the component and the retry policy, and that the
 * usage is honest, whether a result or the component's exception carries it: every request the server saw is a model
 * call, every call of an always-failing fault a failed call filed under the fault's kind, tokens known (the server
 * reports them on every reply).
 *
 * <p>Time is bounded by configuration ({@link FaultMatrix.Fault#callTimeout()}, {@link FaultMatrix.Fault#deadline()}:
 * small where the fault is about time, roomy elsewhere, so the control cells do not depend on the machine's load); the
 * timeout below only stops a broken build. On a loaded machine a healthy call may also outlive its timeout, so a
 * timeout (or the deadline) is accepted beside the fault's own kind, never instead of the bounds.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@Execution(ExecutionMode.CONCURRENT)
class FaultMatrixTest {

    @BeforeAll
    static void warmUp() {
        FaultMatrix.warmUp();
    }

    /** What a loaded machine may add to any cell: a call that outlived its timeout or the scope's deadline. */
    private static final Set<CallFailure> LOAD = EnumSet.of(CallFailure.TIMEOUT, CallFailure.BUDGET_EXHAUSTED);

    static Stream<Arguments> cells() {
        return Arrays.stream(Fault.values())
                .flatMap(fault -> Arrays.stream(Client.values()).map(client -> Arguments.of(fault, client)));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void chatModelSampler(Fault fault, Client client) {
        Cell cell = check(Component.SAMPLER, fault, client);
        expectFallbackWhenFailing(cell);
        // Every reply the server sent is in what the sample or failure drawn from it carries, the refused ones (an
        // empty answer and its retry) included: no cache here, so together they are the batch's tokens.
        SampleBatch batch = cell.outcome().batch().orElseThrow();
        Usage carried = FaultMatrix.tokensCarried(batch, false).plus(FaultMatrix.tokensCarried(batch, true));
        assertThat(carried.inputTokens()).as(cell.outcome().detail()).isEqualTo(batch.usage().inputTokens());
        assertThat(carried.outputTokens()).as(cell.outcome().detail()).isEqualTo(batch.usage().outputTokens());
        if (fault == Fault.EMPTY_ANSWER) {
            // Each empty answer reported its prompt tokens, which no sample carries.
            assertThat(FaultMatrix.tokensCarried(batch, true).inputTokens()).isPositive();
        }
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void aggregationOfReasoningWithTheLlmJudge(Fault fault, Client client) {
        Cell cell = check(Component.AOR_LLM_JUDGE, fault, client);
        expectFallbackWhenFailing(cell);
        // Without a judge, AoR still answers from the chains it was given.
        assertThat(cell.outcome().detail()).doesNotContain("answer none");
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void verbalizedConfidence(Fault fault, Client client) {
        expectFallbackWhenFailing(check(Component.VERBALIZED_CONFIDENCE, fault, client));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void inconsistencyRationale(Fault fault, Client client) {
        expectFallbackWhenFailing(check(Component.INCONSISTENCY_RATIONALE, fault, client));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void promptedRetrievalCriterion(Fault fault, Client client) {
        expectFallbackWhenFailing(check(Component.PROMPTED_CRITERION, fault, client));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void confidenceGatedChatModel(Fault fault, Client client) {
        expectTypedExceptionWhenFailing(check(Component.CONFIDENCE_GATED, fault, client));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void automateCot(Fault fault, Client client) {
        expectFallbackWhenFailing(check(Component.AUTOMATE_COT, fault, client));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void selfDiscover(Fault fault, Client client) {
        expectTypedExceptionWhenFailing(check(Component.SELF_DISCOVER, fault, client));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void hyperparameterAwareGeneration(Fault fault, Client client) {
        expectTypedExceptionWhenFailing(check(Component.HYPERPARAMETER_AWARE, fault, client));
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cells")
    void chatModelParaphraser(Fault fault, Client client) {
        expectFallbackWhenFailing(check(Component.PARAPHRASER, fault, client));
    }

    /** Runs the cell and checks what holds for every component: bounds, outcome under no fault, honest usage. */
    private static Cell check(Component component, Fault fault, Client client) {
        Cell cell = FaultMatrix.run(component, fault, client);
        Outcome outcome = cell.outcome();
        String context = component + " / " + fault + " / " + client + ": " + outcome.detail() + ", "
                + cell.callsAtServer() + " requests, usage " + outcome.usage().orElse(null);

        assertThat(cell.callsAtServer()).as(context).isLessThanOrEqualTo(component.callBound());
        assertThat(cell.bounded()).as(context).isTrue();
        if (outcome.kind() == Kind.EXCEPTION) {
            // The SDK's typed exceptions only: never LangChain4j's, never a NullPointerException.
            assertThat(outcome.error()).as(context).isInstanceOf(ReasoningException.class);
        }
        if (fault == Fault.NONE) {
            assertThat(outcome.kind()).as(context).isEqualTo(Kind.ANSWER);
        }
        if (fault.alwaysFails()) {
            assertThat(outcome.kind()).as(context).isNotEqualTo(Kind.ANSWER);
        }
        outcome.usage().ifPresent(usage -> checkUsage(cell, usage, context));
        return cell;
    }

    private static void checkUsage(Cell cell, Usage usage, String context) {
        Fault fault = cell.fault();
        // Every request the server saw is a model call; a call counted that the server did not see can only be one
        // abandoned at its timeout or the deadline before its request went out, or one the client refused to send.
        assertThat(usage.modelCalls()).as(context).isGreaterThanOrEqualTo(cell.callsAtServer());
        int unsent = usage.failedCalls(CallFailure.TIMEOUT) + usage.failedCalls(CallFailure.BUDGET_EXHAUSTED)
                + usage.failedCalls(CallFailure.CLIENT_ERROR);
        assertThat(usage.modelCalls() - cell.callsAtServer()).as(context).isLessThanOrEqualTo(unsent);
        assertThat(usage.cacheHits()).as(context).isZero();
        // Every reply of the server reports tokens, and a call that failed without a reply adds none.
        assertThat(usage.tokensKnown()).as(context).isTrue();
        Set<CallFailure> allowed = EnumSet.copyOf(LOAD);
        fault.expectedKind().ifPresent(allowed::add);
        if (cell.component() == Component.HYPERPARAMETER_AWARE) {
            // Both real clients refuse one of the suggested settings before sending (top-k, the penalties).
            allowed.add(CallFailure.CLIENT_ERROR);
        }
        if (fault.alwaysFails()) {
            assertThat(usage.failedCalls()).as(context).isEqualTo(usage.modelCalls());
            assertThat(usage.failedCalls()).as(context).isPositive();
        }
        if (fault == Fault.HUGE_ANSWER) {
            // 10 MiB that outlives the call timeout on a loaded machine, or whose answer is beyond a parser's window.
            allowed.add(CallFailure.GARBAGE);
        }
        if (fault == Fault.NONE) {
            assertThat(usage.modelCalls()).as(context).isGreaterThan(usage.failedCalls());
            assertThat(usage.inputTokens()).as(context).isPositive();
        }
        assertThat(usage.failuresByKind().keySet()).as(context).isSubsetOf(allowed);
        // The fault's own kind is what is counted, unless the machine was so loaded that no reply came in time.
        fault.expectedKind().filter(kind -> fault.alwaysFails() && !LOAD.contains(kind)
                && !LOAD.containsAll(usage.failuresByKind().keySet())).ifPresent(kind ->
                assertThat(usage.failedCalls(kind)).as(context).isPositive());
    }

    /** Under an always-failing fault, the component returns its fallback (or stop reason) rather than throw. */
    private static void expectFallbackWhenFailing(Cell cell) {
        if (cell.fault().alwaysFails()) {
            assertThat(cell.outcome().kind()).as(cell.outcome().detail()).isEqualTo(Kind.FALLBACK);
            assertThat(cell.outcome().usage()).isPresent();
        }
    }

    /**
     * Under an always-failing fault, the component throws the SDK's exception for it: the failed call's
     * {@link LlmCallException} (with its status where there is one), {@link BudgetExhaustedException} when the
     * deadline ended it, a plain {@link ReasoningException} for an unusable reply; each carrying the usage of the
     * calls made before it, checked as a result's usage is.
     */
    private static void expectTypedExceptionWhenFailing(Cell cell) {
        if (!cell.fault().alwaysFails()) {
            return;
        }
        Outcome outcome = cell.outcome();
        assertThat(outcome.kind()).as(outcome.detail()).isEqualTo(Kind.EXCEPTION);
        // The exception says what the calls before it cost, which check(...) held to the server's count and the
        // bound: every request the server saw is in it.
        assertThat(outcome.usage()).as(outcome.detail()).isPresent();
        assertThat(outcome.usage().orElseThrow().modelCalls()).as(outcome.detail()).isPositive()
                .isGreaterThanOrEqualTo(cell.callsAtServer()).isLessThanOrEqualTo(cell.component().callBound());
        Throwable error = outcome.error();
        if (cell.component() != Component.CONFIDENCE_GATED) {
            // SELF-DISCOVER and HAG throw a plain ReasoningException naming the stage and the failure kind.
            String kinds = cell.fault().expectedKind().map(kind -> kind + "|") .orElse("") + "TIMEOUT|BUDGET_EXHAUSTED";
            assertThat(error).as(outcome.detail()).isExactlyInstanceOf(ReasoningException.class);
            assertThat(error.getMessage()).as(outcome.detail()).containsPattern("failed: (" + kinds + ")");
            return;
        }
        switch (cell.fault()) {
            case RATE_LIMITED_RETRY_AFTER, HTTP_500, HTTP_503 -> {
                assertThat(error).as(outcome.detail())
                        .isInstanceOfAny(LlmCallException.class, BudgetExhaustedException.class);
                if (error instanceof LlmCallException failed && !failed.isTimeout()) {
                    assertThat(failed.statusCode()).hasValue(cell.fault().fault().status());
                }
            }
            case EMPTY_ANSWER -> assertThat(error).as(outcome.detail()).isNotInstanceOf(LlmCallException.class);
            default -> assertThat(error).as(outcome.detail()).isInstanceOf(ReasoningException.class);
        }
    }
}
