package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.impl.internal.Sampling;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.internal.SpentBefore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the sampling estimators share: drawing chains, scoring them, adding the sampling cost, and saying which
 * samples failed.
 */
final class Sampled {

    private Sampled() {
    }

    /**
     * Samples {@code count} chains for {@code question} and scores them; when no sample succeeds, the estimate has
     * no answer, confidence 0 and a rationale saying so; when some failed, it says how many
     * ({@link #withFailedSamples}).
     */
    static ConfidenceEstimate estimate(Sampling sampling, String question, int count, String method,
                                       Function<List<ReasoningChain>, ConfidenceEstimate> score) {
        Sampling.Draw draw = sampling.draw(question, count, 0);
        SampleBatch batch = draw.batch();
        if (batch.samples().isEmpty()) {
            return new ConfidenceEstimate(Optional.empty(), 0, "No sample succeeded (" + batch.failures().size()
                    + " failed), so there is nothing to score.", method, Map.of("samples", 0.0), batch.usage());
        }
        ConfidenceEstimate scored = SpentBefore.addedToRefusal(batch.usage(), () -> score.apply(draw.chains()));
        return withFailedSamples(new ConfidenceEstimate(scored.answer(), scored.confidence(), scored.rationale(),
                method, scored.signals(), batch.usage().plus(scored.usage())), batch.failures().size(), count);
    }

    /**
     * {@code estimate} with the samples that failed stated: signal {@code failed_samples}, and a rationale that says
     * how many of the {@code requested} the confidence was computed without (an agreement of 3 of 3 chains reads as
     * certain, though 3 more were asked for and never came). Unchanged when none failed.
     */
    static ConfidenceEstimate withFailedSamples(ConfidenceEstimate estimate, int failed, int requested) {
        if (failed == 0) {
            return estimate;
        }
        Map<String, Double> signals = new LinkedHashMap<>(estimate.signals());
        signals.put("failed_samples", (double) failed);
        String rationale = estimate.rationale() + " " + failed + " of " + requested + " samples failed and were "
                + "left out.";
        return new ConfidenceEstimate(estimate.answer(), estimate.confidence(), rationale, estimate.method(),
                signals, estimate.usage());
    }

    /**
     * The text of the first chain, the one the single-response estimators score.
     *
     * @throws NullPointerException     if {@code question} or {@code chains} is null
     * @throws IllegalArgumentException if {@code chains} is empty
     */
    static String firstResponse(String question, List<ReasoningChain> chains) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(chains, "samples");
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("no chains: at least one response is needed");
        }
        return chains.get(0).text();
    }
}
