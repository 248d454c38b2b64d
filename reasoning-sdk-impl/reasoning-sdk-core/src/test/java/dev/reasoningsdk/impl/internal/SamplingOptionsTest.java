package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.prompt.ActivePrompt;
import dev.reasoningsdk.impl.retrieval.QueryTemplates;
import dev.reasoningsdk.impl.retrieval.SamplingConsistencySelfKnowledge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every builder that samples takes the same options: sampler(sampler, temperature), seed and promptFormat. */
class SamplingOptionsTest {

    /** Answers "The answer is 7." and records each prompt with the seed of its first sample. */
    private static final class Recorder implements ChainSampler {
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized SampleBatch sample(String prompt, int count, long firstSeed) {
            calls.add(prompt + " @" + firstSeed);
            List<SampleBatch.Sample> samples = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                samples.add(new SampleBatch.Sample(i, "The answer is 7.", 1, 1, 1));
            }
            return new SampleBatch(count, samples, List.of(), StopReason.COMPLETED,
                    new Usage(count, count, 0, count, count, Duration.ZERO));
        }

        @Override
        public String name() {
            return "recorder";
        }
    }

    @Test
    void seedAndPromptFormatReachTheSamplerTheSameWayEverywhere() {
        Recorder recorder = new Recorder();

        MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(recorder, 0.7).seed(100)
                .promptFormat(q -> "vote: " + q).samples(3).build().solve("q");
        SamplingConsistency.builder().sampler(recorder, 0.7).seed(100).promptFormat(q -> "consistency: " + q)
                .samples(3).build().estimate("q");
        SamplingConsistencySelfKnowledge.builder().sampler(recorder, 0.7).seed(100)
                .promptFormat(QueryTemplates.format("know: {query}")).samples(3).build().evaluate("q");
        ActivePrompt.builder().sampler(recorder, 0.7).extractor(AnswerExtractors.numeric()).seed(100)
                .promptFormat(q -> "active: " + q).samples(3).build().select(List.of("q", "r"), 1);

        assertThat(recorder.calls).containsExactly("vote: q @100", "consistency: q @100", "know: q @100",
                "active: q @100", "active: r @103");
    }

    @Test
    void everySamplerSetterRefusesABadTemperatureNamingIt() {
        Recorder recorder = new Recorder();
        List<ThrowingCallable> setters = List.of(
                () -> MajorityVote.builder().sampler(recorder, Double.NaN),
                () -> SamplingConsistency.builder().sampler(recorder, Double.NaN),
                () -> SamplingConsistencySelfKnowledge.builder().sampler(recorder, Double.NaN),
                () -> ActivePrompt.builder().sampler(recorder, Double.NaN),
                () -> dev.reasoningsdk.impl.confidence.LogisticCombiner.builder().sampler(recorder, Double.NaN));
        for (ThrowingCallable setter : setters) {
            assertThatThrownBy(setter).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("temperature must be finite and >= 0, was NaN");
        }
        assertThatThrownBy(() -> QueryTemplates.format("no placeholder"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'no placeholder'");
    }
}
