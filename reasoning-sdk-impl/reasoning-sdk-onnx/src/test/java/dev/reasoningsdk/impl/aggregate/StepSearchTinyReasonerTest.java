package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.PromptHiddenState;
import dev.reasoningsdk.fixtures.ForwardingCausalLanguageModel;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link StepSearch} on the embedded tiny reasoner, through the {@link CausalLanguageModel} interface only. */
class StepSearchTinyReasonerTest {

    private static CausalLanguageModel model;

    @BeforeAll
    static void load() {
        model = TinyReasoner.create();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The eval problems with {@code steps} steps, the first {@code count} of them. */
    private static List<JsonNode> problems(int steps, int count) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(ProjectData.require("models/tiny-reasoner/eval-problems.jsonl"))) {
            JsonNode row = json.readTree(line);
            if (row.path("steps").asInt() == steps && out.size() < count) {
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSamePathOnTheRealModelAndOtherSeedsOtherSearches() throws IOException {
        List<String> questions = problems(5, 2).stream().map(problem -> problem.path("question").asText()).toList();
        for (StepSearch.Strategy strategy : StepSearch.Strategy.values()) {
            StepSearch search = StepSearch.builder().model(model).strategy(strategy).seed(11).build();
            List<List<Object>> seed11 = new ArrayList<>();
            for (String question : questions) {
                StepSearchResult first = search.solve(question);
                StepSearchResult again = search.solve(question);
                assertThat(again.path()).isEqualTo(first.path());
                assertThat(again.generatedTokens()).isEqualTo(first.generatedTokens());
                assertThat(again.expansions()).isEqualTo(first.expansions());
                seed11.add(trace(first));
            }
            // The seed reaches the model: a search that ignored it would search alike under every seed, and the
            // same-seed check above would pass all the same. The model is sure of most steps, so best-first and MCTS
            // often end on one path whatever the seed: what differs is how they got there (the tokens and expansions
            // it took), over two problems and four more seeds.
            Set<List<List<Object>>> bySeed = new HashSet<>(List.of(seed11));
            for (long seed = 12; seed < 16; seed++) {
                StepSearch other = StepSearch.builder().model(model).strategy(strategy).seed(seed).build();
                bySeed.add(questions.stream().map(question -> trace(other.solve(question))).toList());
            }
            assertThat(bySeed).as(strategy + ": the searches of seeds 11 to 15").hasSizeGreaterThan(1);
        }
    }

    /** What a search did: its path, the tokens it generated and its expansions. */
    private static List<Object> trace(StepSearchResult result) {
        return List.of(result.path(), result.generatedTokens(), result.expansions());
    }

    @Test
    void asAnAggregatorItAnswersAsItsSearchAndItsProcessRewardVoteOutdoesAMajorityOnSampledChains()
            throws IOException {
        StepSearch search = StepSearch.builder().model(model).seed(3).build();
        Aggregator aggregator = search.asAggregator();
        MajorityVote majority = MajorityVote.of(AnswerExtractors.numeric());
        int byReward = 0;
        int byMajority = 0;
        List<JsonNode> problems = problems(6, 12);
        for (JsonNode problem : problems) {
            String question = problem.path("question").asText();
            String gold = problem.path("answer").asText();
            AggregationResult solved = aggregator.solve(question);
            assertThat(solved.answer()).isEqualTo(search.solve(question).answer());
            assertThat(solved.method()).isEqualTo("step_search_best_first");
            List<ReasoningChain> chains = model.generate(model.formatPrompt(question), 6,
                    GenerationOptions.sampling(0.8, 200, 7)).stream()
                    .map(generation -> ReasoningChain.of(generation.text(), "tiny-reasoner")).toList();
            AggregationResult voted = aggregator.aggregate(question, chains);
            assertThat(voted.totalChains()).isEqualTo(chains.size());
            byReward += right(voted.answer(), gold);
            byMajority += right(majority.aggregate(question, chains).answer(), gold);
        }
        System.out.printf("process-reward vote %d, majority %d of %d six-step problems (6 chains each)%n",
                byReward, byMajority, problems.size());
        // The six-step problems are where the model's chains go wrong in their arithmetic, which the reward sees.
        assertThat(byReward).isGreaterThan(byMajority);
    }

    private static int right(java.util.Optional<String> answer, String gold) {
        return answer.filter(a -> AnswerExtractors.numeric().equivalent(a, gold)).isPresent() ? 1 : 0;
    }

    @Test
    void wrongStepsAreResampledAndTheBudgetHolds() throws IOException {
        StepSearch search = StepSearch.builder().model(model).maxTokens(400).build();
        int right = 0;
        List<JsonNode> problems = problems(4, 6);
        for (JsonNode problem : problems) {
            StepSearchResult result = search.solve(problem.path("question").asText());
            assertThat(result.generatedTokens()).isBetween(1L, 400L);
            assertThat(result.chain()).startsWith(result.path().get(0).text().strip());
            right += result.answer().filter(answer -> AnswerExtractors.numeric().equivalent(answer,
                    problem.path("answer").asText())).isPresent() ? 1 : 0;
        }
        // The model alone answers 4-step problems right 83% of the time greedily; with its wrong steps caught and
        // resampled it should miss at most one of six.
        assertThat(right).isGreaterThanOrEqualTo(problems.size() - 1);
    }

    @Test
    void groundedCalculatedSearchesLeaveNoWrongOrUnstatedNumberOnTheirPaths() throws IOException {
        ArithmeticStepReward grounded = ArithmeticStepReward.builder().groundingFactor(0).build();
        StepSearch.Builder builder = StepSearch.builder().model(model).reward(grounded).calculator(true)
                .maxExpansionsPerStep(8).seed(3);
        StepSearch single = builder.build();
        StepSearch search = builder.agreement(2).maxRestarts(4).build();
        int right = 0;
        List<JsonNode> problems = problems(6, 4);
        for (JsonNode problem : problems) {
            String question = problem.path("question").asText();
            StepSearchResult result = search.solve(question);
            assertThat(result.generatedTokens()).isBetween(1L, 1024L);
            // The calculator leaves no wrong result on the path, whatever the model wrote.
            assertThat(ArithmeticVerifier.steps(result.chain())).isNotEmpty()
                    .allMatch(ArithmeticVerifier.Step::correct);
            // Until two clean chains agree: the first search is the single one (the same seeds), and more follow.
            assertThat(result.generatedTokens()).isGreaterThan(single.solve(question).generatedTokens());
            assertThat(search.solve(question).path()).isEqualTo(result.path());
            right += result.answer().filter(answer -> AnswerExtractors.numeric().equivalent(answer,
                    problem.path("answer").asText())).isPresent() ? 1 : 0;
            if (result.path().stream().allMatch(step -> step.reward() == 1)) {
                // A path the grounded reward accepts whole states only the question's numbers and its results.
                List<String> steps = result.path().stream().map(StepSearchResult.Step::text).toList();
                assertThat(grounded.scoreStep(question, steps, true)).isEqualTo(1.0);
            }
        }
        // The tiny reasoner answers 6-step problems right 46% of the time greedily (2 of these 4).
        assertThat(right).isGreaterThanOrEqualTo(3);
    }

    @Test
    void mctsAnswersSixStepProblemsFromCleanAgreeingChainsWithinItsBudget() throws IOException {
        ArithmeticStepReward grounded = ArithmeticStepReward.builder().groundingFactor(0).build();
        StepSearch search = StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS).reward(grounded)
                .calculator(true).maxTokens(600).seed(3).build();
        int right = 0;
        List<JsonNode> problems = problems(6, 4);
        for (JsonNode problem : problems) {
            String question = problem.path("question").asText();
            StepSearchResult result = search.solve(question);
            assertThat(result.method()).isEqualTo("step_search_mcts");
            assertThat(result.generatedTokens()).isBetween(1L, 600L);
            assertThat(search.solve(question).path()).isEqualTo(result.path());
            if (result.stopReason() == dev.reasoningsdk.api.StopReason.COMPLETED) {
                // Its rollouts end at a rejected step, so a finished chain it answers with holds none; it stops once
                // two of them agree, or after 8 finished chains.
                assertThat(result.path()).extracting(StepSearchResult.Step::reward).containsOnly(1.0);
                assertThat(result.usage().samples()).isBetween(2, 8);
            }
            right += result.answer().filter(answer -> AnswerExtractors.numeric().equivalent(answer,
                    problem.path("answer").asText())).isPresent() ? 1 : 0;
        }
        // The tiny reasoner answers 6-step problems right 46% of the time greedily (2 of these 4).
        assertThat(right).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aBudgetTooSmallForAChainStopsWithinIt() throws IOException {
        JsonNode problem = problems(6, 1).get(0);
        StepSearchResult result = StepSearch.builder().model(model).maxTokens(30).build()
                .solve(problem.path("question").asText());
        assertThat(result.stopReason()).isEqualTo(dev.reasoningsdk.api.StopReason.BUDGET_EXHAUSTED);
        assertThat(result.generatedTokens()).isLessThanOrEqualTo(30);
        assertThat(result.answer()).isEmpty();
    }

    /**
     * The tiny reasoner as the learned reward reads it, counting hidden-state passes, the tokens they read by the
     * model's tokenizer, and every other request of the reward that tokenizes a prompt: a pass without its count
     * ({@code promptHiddenState}) or a count without a pass ({@code promptTokenCount}).
     */
    private static final class CountingPasses extends ForwardingCausalLanguageModel {
        private final AtomicLong passes = new AtomicLong();
        private final AtomicLong tokens = new AtomicLong();
        private final AtomicLong otherTokenizations = new AtomicLong();

        CountingPasses(CausalLanguageModel model) {
            super(model);
        }

        AtomicLong passes() {
            return passes;
        }

        AtomicLong tokens() {
            return tokens;
        }

        AtomicLong otherTokenizations() {
            return otherTokenizations;
        }

        @Override
        public PromptHiddenState promptHiddenStateWithTokens(String prompt, int layer) {
            PromptHiddenState state = delegate().promptHiddenStateWithTokens(prompt, layer);
            passes.incrementAndGet();
            // The tokenizer's count, asked of the model here, not by the reward.
            tokens.addAndGet(delegate().promptTokenCount(prompt).orElseThrow());
            return state;
        }

        @Override
        public float[] promptHiddenState(String prompt, int layer) {
            otherTokenizations.incrementAndGet();
            return delegate().promptHiddenState(prompt, layer);
        }

        @Override
        public float[] promptHiddenState(String prompt) {
            return promptHiddenState(prompt, -1);
        }

        @Override
        public OptionalInt promptTokenCount(String prompt) {
            otherTokenizations.incrementAndGet();
            return delegate().promptTokenCount(prompt);
        }

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            throw new UnsupportedOperationException("the reward only reads hidden states");
        }

        @Override
        public float[] continuationLogProbs(String prompt, String continuation) {
            throw new UnsupportedOperationException("the reward only reads hidden states");
        }
    }

    @Test
    void theLearnedRewardsPassesAreInTheUsageAndTheBudgetStillHolds() throws IOException {
        CountingPasses counted = new CountingPasses(model);
        HiddenStateStepReward learned = HiddenStateStepReward.tinyReasoner(counted);
        for (long maxTokens : new long[] {30, 240}) {
            StepSearch search = StepSearch.builder().model(model).reward(learned).acceptReward(0.5)
                    .maxTokens(maxTokens).seed(5).build();
            StepSearch plain = StepSearch.builder().model(model).acceptReward(0.5).maxTokens(maxTokens).seed(5)
                    .build();
            for (JsonNode problem : problems(5, 2)) {
                String question = problem.path("question").asText();
                long passesBefore = counted.passes().get();
                long tokensBefore = counted.tokens().get();
                long otherBefore = counted.otherTokenizations().get();
                StepSearchResult result = search.solve(question);
                long passes = counted.passes().get() - passesBefore;
                String at = "maxTokens " + maxTokens + ", " + question;

                // Every forward pass the head ran is a model call of the result, with the prompt tokens it read.
                assertThat(passes).as(at).isPositive();
                assertThat(result.rewardUsage().modelCalls()).as(at).isEqualTo(passes);
                assertThat(result.rewardUsage().inputTokens()).as(at)
                        .isEqualTo(counted.tokens().get() - tokensBefore).isPositive();
                // Each prefix is tokenized once, by its pass: before, the reward tokenized it again to count it.
                assertThat(counted.otherTokenizations().get() - otherBefore).as(at).isZero();
                assertThat(result.rewardUsage().outputTokens()).as(at).isZero();
                assertThat(result.usage().modelCalls() - result.rewardUsage().modelCalls()).as(at).isPositive();
                assertThat(result.usage().inputTokens() - result.rewardUsage().inputTokens()).as(at).isPositive();
                // The budget counts generated tokens only, as without the learned reward's passes.
                assertThat(result.generatedTokens()).as(at).isBetween(1L, maxTokens);
                assertThat(plain.solve(question).generatedTokens()).as(at).isBetween(1L, maxTokens);
            }
        }
    }
}
