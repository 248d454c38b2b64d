package dev.reasoningsdk.impl.internal;

import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a technique draws chains from, as every builder that takes {@code sampler(sampler, temperature)} sets it: a
 * sampler, the temperature it was configured with (stated explicitly, because the AoR reference code silently used
 * its API's default, and logged with failed samples), how a question becomes a prompt, and the seed of the first
 * sample. Not API.
 *
 * @param sampler      the sampler
 * @param temperature  the temperature the sampler samples at, finite and {@code >= 0}
 * @param promptFormat turns a question into the sampler's prompt
 * @param seed         the seed of the first sample; sample {@code i} of a sequence uses {@code seed + i}
 */
public record Sampling(ChainSampler sampler, double temperature, UnaryOperator<String> promptFormat, long seed) {

    private static final Logger LOG = LoggerFactory.getLogger(Sampling.class);

    /**
     * @throws NullPointerException     if the sampler or prompt format is null
     * @throws IllegalArgumentException if the temperature is negative, NaN or infinite, or differs from the one the
     *                                  sampler says it samples at ({@link ChainSampler#temperature()}): the value is
     *                                  recorded, never applied, so a mismatch would misreport every run
     */
    public Sampling {
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(promptFormat, "promptFormat");
        Arguments.temperature(temperature);
        OptionalDouble own = sampler.temperature();
        if (own.isPresent() && Double.compare(own.getAsDouble(), temperature) != 0) {
            throw new IllegalArgumentException("sampler " + sampler.name() + " samples at temperature "
                    + own.getAsDouble() + ", not " + temperature + ": state the temperature it was built with");
        }
    }

    /**
     * Draws {@code count} chains for {@code question}, continuing the seed sequence after {@code alreadyDrawn}
     * samples; failed samples are logged (WARN) with the temperature and left out of the chains.
     */
    public Draw draw(String question, int count, long alreadyDrawn) {
        return draw(question, count, alreadyDrawn, RunStop.NONE);
    }

    /**
     * {@link #draw(String, int, long)} within a run that {@code stop} may stop: nothing is drawn once it has, and a
     * stop while the batch is drawn cancels the sampler's future ({@link ChainSampler#sampleAsync}), which stops the
     * calls in flight of a sampler that can stop them. A {@code ChatModelSampler}'s batch is stopped even before its
     * future is returned: its scope, opened on the run's thread, is bound to {@code stop} ({@link RunStop}).
     *
     * @throws java.util.concurrent.CancellationException if the run was stopped
     */
    public Draw draw(String question, int count, long alreadyDrawn, RunStop stop) {
        String prompt = Objects.requireNonNull(promptFormat.apply(question), "promptFormat returned null");
        stop.check();
        SampleBatch batch = stop.isStoppable() ? stop.await(sampler.sampleAsync(prompt, count, seed + alreadyDrawn))
                : sampler.sample(prompt, count, seed + alreadyDrawn);
        if (!batch.failures().isEmpty()) {
            LOG.warn("{} of {} samples from {} failed (temperature {}): first: {}", batch.failures().size(), count,
                    sampler.name(), temperature, batch.failures().get(0).message());
        }
        return new Draw(batch.chains(sampler.name()), batch);
    }

    /**
     * What a technique throws when no chain could be sampled at all from {@code source}: a
     * {@link BudgetExhaustedException} when a budget stopped the sampling, else a retryable
     * {@link ReasoningException}, either carrying what was spent.
     *
     * @param source      what was sampled from, as the message names it
     * @param failures    why, appended to the message (as {@link Draw#failureSummary()}: empty, or {@code "; ..."})
     * @param budgetSpent whether a budget stopped the sampling
     * @param spent       what the sampling spent
     */
    public static ReasoningException noChainSampled(String source, String failures, boolean budgetSpent, Usage spent) {
        String message = "no chain could be sampled from " + source;
        return budgetSpent ? new BudgetExhaustedException(message + ": its budget ran out" + failures, spent)
                : new ReasoningException(message + failures, null, true, spent);
    }

    /**
     * The chains of one draw and the batch they came from (for its cost and stop reason).
     *
     * @param chains the successful samples as chains, in sample order
     * @param batch  the whole batch, failures included
     */
    public record Draw(List<ReasoningChain> chains, SampleBatch batch) {

        /**
         * {@code "; 3 failures, first: <its message>"}, or empty when no sample failed: what an exception says when
         * no chain came back, so that the caller who catches it learns why (refused connection, 404, timeout)
         * without reading the WARN line.
         */
        public String failureSummary() {
            return Sampling.failureSummary(batch.failures());
        }

        /**
         * Tokens the model generated for this draw, a reply the LM-call cache replayed counted with the tokens it was
         * recorded with ({@link dev.reasoningsdk.api.aggregate.AggregationResult#generatedTokens()}): the batch's
         * {@code outputTokens} when it had no cache hit, else the sum of what its samples and failures carry (the
         * sampler's contract: without a cache they add up to the batch's, replayed they read as when recorded);
         * {@link Usage#UNKNOWN_TOKENS} when one count is unknown.
         */
        public long generatedTokens() {
            Usage usage = batch.usage();
            if (usage.cacheHits() == 0) {
                return usage.outputTokens();
            }
            long tokens = 0;
            for (SampleBatch.Sample sample : batch.samples()) {
                tokens = Usage.addTokens(tokens, sample.outputTokens());
            }
            for (SampleBatch.SampleFailure failure : batch.failures()) {
                tokens = Usage.addTokens(tokens, failure.outputTokens());
            }
            return tokens;
        }

        /**
         * Whether no chain came back and every sample failed for good ({@link SampleBatch.FailureKind#PERMANENT}:
         * the provider refused the request itself, as a client error such as {@code max_tokens must be in [1, 320]}
         * or {@code context_length_exceeded}, or it could not be built): drawing the same request again would only
         * be refused again, as the LLM judge ends its scoring on such a refusal. A technique that would draw more
         * stops here and throws {@link #noChainSampled}.
         */
        public boolean refusedForGood() {
            return chains.isEmpty() && !batch.failures().isEmpty() && batch.failures().stream()
                    .allMatch(failure -> failure.kind() == SampleBatch.FailureKind.PERMANENT);
        }
    }

    /**
     * {@code "; 3 failures, first: <its message>"} of {@code failures}, or empty when there are none:
     * {@link Draw#failureSummary()} of one draw, or of several draws' failures together.
     */
    public static String failureSummary(List<SampleBatch.SampleFailure> failures) {
        return failures.isEmpty() ? ""
                : "; " + failures.size() + (failures.size() == 1 ? " failure" : " failures") + ", first: "
                        + failures.get(0).message();
    }
}
