package dev.reasoningsdk.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.prompt.AutomateCot;
import dev.reasoningsdk.impl.prompt.ClassificationObjective;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Settings that used to be accepted and failed only later, each far from the setter that took it: every one is now
 * refused at the setter with an {@link IllegalArgumentException} naming the option.
 */
class EagerValidationTest {

    private static final ChatModel MODEL = new ChatModel() {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            return ChatResponse.builder().aiMessage(AiMessage.from("The answer is 4.")).build();
        }
    };

    @Test
    void aBlankSystemMessageIsRefusedAtTheSetterNotByEverySample() {
        // LangChain4j refuses a blank system message when a request is built: every sample used to fail as
        // PERMANENT with a message that named no option.
        for (String blank : List.of("", "  ", "\n")) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> ChatModelSampler.builder().model(MODEL).systemMessage(blank))
                    .withMessageContaining("systemMessage");
        }
    }

    @Test
    void aBlankNameIsRefusedBySamplersAndGateways() {
        // The name is the chains' source, which source reliability and the learned verifier read.
        assertThatIllegalArgumentException().isThrownBy(() -> ChatModelSampler.builder().name(" "))
                .withMessageContaining("name");
        assertThatIllegalArgumentException().isThrownBy(() -> LocalModelSampler.builder().name(""))
                .withMessageContaining("name");
        assertThatIllegalArgumentException().isThrownBy(() -> ModelGateway.builder().name(""))
                .withMessageContaining("name");
    }

    @Test
    void automateCotRefusesAnInfiniteLearningRateOrClip() {
        // An infinite step makes every probability NaN; the setters said "positive" and let infinity through.
        for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NaN, 0, -1}) {
            assertThatIllegalArgumentException().isThrownBy(() -> AutomateCot.builder().learningRate(bad))
                    .withMessageContaining("learningRate");
            assertThatIllegalArgumentException().isThrownBy(() -> AutomateCot.builder().clip(bad))
                    .withMessageContaining("clip");
        }
    }

    @Test
    void aModelWithoutASimpleNameGivesItsClassNameNotABlankOne() {
        // The default name of an anonymous model (or a lambda) used to be its empty simple name: chains with a
        // blank source and log lines such as "gateway  is closed".
        try (ModelGateway gateway = ModelGateway.of(MODEL);
             ChatModelSampler sampler = ChatModelSampler.builder().model(MODEL).build()) {
            assertThat(gateway.name()).isEqualTo(MODEL.getClass().getName());
            assertThat(sampler.name()).isEqualTo(MODEL.getClass().getName());
            assertThat(sampler.sample("What is 2+2?", 1, 0).chains(sampler.name()).get(0).source()).isNotBlank();
        }
    }

    @Test
    void aClassificationObjectiveNamesANullLabelAndRefusesARepeatedOne() {
        assertThatNullPointerException().isThrownBy(() -> ClassificationObjective.builder()
                .gold(Arrays.asList("a", null))).withMessage("gold label of input 1");
        assertThatNullPointerException().isThrownBy(() -> ClassificationObjective.builder()
                .labels(Arrays.asList("a", null))).withMessage("label 1");
        assertThatIllegalArgumentException().isThrownBy(() -> ClassificationObjective.builder()
                .labels(List.of("a", "b", "a"))).withMessageContaining("distinct");
    }
}
