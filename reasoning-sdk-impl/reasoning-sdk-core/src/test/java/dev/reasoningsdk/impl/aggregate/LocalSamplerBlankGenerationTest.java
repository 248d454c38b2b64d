package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.model.SampleBatch.FailureKind;
import dev.reasoningsdk.fixtures.ForwardingCausalLanguageModel;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code LocalModelSampler} over {@link ArithmeticChainModel} (here, where that fake lives): a generation whose
 * decoded tokens hold no text is a {@link FailureKind#GARBAGE} failure that carries those tokens, as the batch's
 * usage counts them.
 */
class LocalSamplerBlankGenerationTest {

    @Test
    void aGenerationWithoutTextCarriesTheTokensDecodedForIt() {
        CausalLanguageModel blankFirstRow = new ForwardingCausalLanguageModel(new ArithmeticChainModel(2, 0)) {
            @Override
            public List<Generation> generate(String prompt, int count, GenerationOptions options) {
                List<Generation> rows = new ArrayList<>(super.generate(prompt, count, options));
                Generation first = rows.get(0);
                // The same tokens decoded, read back as white space: nothing to vote with, still paid for.
                rows.set(0, new Generation(" \n ", first.tokenIds(), first.tokenLogProbs(), first.promptTokens(),
                        first.finishReason()));
                return rows;
            }
        };
        SampleBatch batch = LocalModelSampler.of(blankFirstRow).sample("2 doublings?", 2, 0);

        SampleBatch.Sample answered = batch.samples().get(0);
        assertThat(batch.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.GARBAGE);
            assertThat(failure.inputTokens()).isPositive().isEqualTo(answered.inputTokens());
            assertThat(failure.outputTokens()).isPositive().isEqualTo(answered.outputTokens());
        });
        assertThat(batch.failures().get(0).outputTokens() + answered.outputTokens())
                .isEqualTo(batch.usage().outputTokens());
        assertThat(batch.failures().get(0).inputTokens() + answered.inputTokens())
                .isEqualTo(batch.usage().inputTokens());
    }
}
