package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import org.junit.jupiter.api.Test;

/**
 * A technique's {@code sampler(sampler, temperature)} records the temperature and never applies it, so one that
 * differs from what the sampler samples at is refused at build(), naming both.
 */
class StatedTemperatureTest {

    private static final ScriptedChatModel MODEL = ScriptedChatModel.builder().fallback(request -> "4").build();

    @Test
    void aStatedTemperatureThatIsNotTheSamplersIsRefusedAtBuild() {
        LocalModelSampler local = LocalModelSampler.builder().model(new ArithmeticChainModel(2, 0)).temperature(0.3)
                .build();
        try (ChatModelSampler remote = ChatModelSampler.builder().model(MODEL).temperature(0.3).build()) {
            assertThat(local.temperature()).hasValue(0.3);
            assertThat(remote.temperature()).hasValue(0.3);

            assertThatThrownBy(() -> MajorityVote.builder().extractor(AnswerExtractors.numeric())
                    .sampler(local, 0.8).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("sampler arithmetic-chain-fake samples at temperature 0.3, not 0.8: state the "
                            + "temperature it was built with");
            assertThatThrownBy(() -> SamplingConsistency.builder().extractor(AnswerExtractors.numeric())
                    .sampler(remote, 0.8).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at temperature 0.3, not 0.8");

            assertThat(MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(local, 0.3).build()
                    .solve("What is 1 doubled twice?").answer()).isPresent();
        }
    }

    @Test
    void aSamplerThatLeavesTheTemperatureToTheModelCannotBeChecked() {
        try (ChatModelSampler modelDefault = ChatModelSampler.builder().model(MODEL).build();
             ChatModelSampler perSample = ChatModelSampler.builder().model(MODEL).temperatures(i -> 0.1 * i).build()) {
            assertThat(modelDefault.temperature()).isEmpty();
            assertThat(perSample.temperature()).isEmpty();
            assertThat(MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(modelDefault, 0.8)
                    .samples(2).build().solve("2 + 2?").answer()).contains("4");
        }
    }
}
