package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an aggregator's {@code solve} draws chains from: a sampler, the temperature it was configured with (stated
 * explicitly, because the AoR reference code silently used its API's default), how a question becomes a prompt, and
 * the seed of the first sample.
 */
record SamplingSetup(ChainSampler sampler, double temperature, UnaryOperator<String> promptFormat, long seed) {

    private static final Logger LOG = LoggerFactory.getLogger(SamplingSetup.class);

    SamplingSetup {
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(promptFormat, "promptFormat");
        Arguments.temperature(temperature);
    }

    /** Draws {@code count} chains continuing the seed sequence after {@code alreadyDrawn} samples. */
    Draw draw(String question, int count, int alreadyDrawn) {
        String prompt = Objects.requireNonNull(promptFormat.apply(question), "promptFormat returned null");
        SampleBatch batch = sampler.sample(prompt, count, seed + alreadyDrawn);
        if (!batch.failures().isEmpty()) {
            LOG.warn("{} of {} samples from {} failed (temperature {}): first: {}", batch.failures().size(), count,
                    sampler.name(), temperature, batch.failures().get(0).message());
        }
        return new Draw(batch.chains(sampler.name()), batch);
    }

    /** The chains of one draw and the batch they came from (for its cost and stop reason). */
    record Draw(List<ReasoningChain> chains, SampleBatch batch) {
    }
}
