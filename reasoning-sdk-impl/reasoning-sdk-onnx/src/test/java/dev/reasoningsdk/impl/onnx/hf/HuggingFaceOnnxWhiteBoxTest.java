package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * White-box reads of the qwen3-tiny-random export against PyTorch's {@code reference.json}: the top-k alternatives
 * of each generated token, the last hidden state (checked through the output head: hidden state times the head's
 * weights gives the reference logits), and conversations through the api's {@code formatConversation}.
 */
class HuggingFaceOnnxWhiteBoxTest {

    private static OnnxSessionFactory factory;
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        factory = OnnxSessionFactory.cpu(1);
        model = HuggingFaceOnnxModel.builder().folder(Qwen3Fixture.FOLDER).sessionFactory(factory).build();
    }

    @AfterAll
    static void close() {
        model.close();
        factory.close();
    }

    @Test
    void topAlternativesAreTheReferenceTopFive() {
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            JsonNode last = rendering.node().get("last_position");
            Generation generation = model.generate(rendering.text(), 1,
                    GenerationOptions.greedy(2).withTopLogProbs(5)).get(0);
            TokenLogProb first = generation.tokens().get(0);
            assertThat(first.token()).isEqualTo(model.decode(new int[] {last.get("argmax").asInt()}, false));
            assertThat(first.logProb()).isCloseTo(last.get("argmax_logprob").asDouble(), within(1e-3));
            List<TokenLogProb.Alternative> alternatives = first.alternatives();
            assertThat(alternatives).hasSize(5);
            double logSumExp = last.get("logsumexp").asDouble();
            for (int i = 0; i < 5; i++) {
                JsonNode expected = last.get("top5").get(i);
                assertThat(alternatives.get(i).token()).as(rendering + " alternative " + i)
                        .isEqualTo(model.decode(new int[] {expected.get(0).asInt()}, false));
                assertThat(alternatives.get(i).logProb()).as(rendering + " alternative " + i)
                        .isCloseTo(expected.get(1).asDouble() - logSumExp, within(1e-3));
            }
        }
    }

    @Test
    void hiddenStateTimesTheOutputHeadGivesTheReferenceLogits() {
        OnnxModelFile graph = OnnxModelFile.read(Qwen3Fixture.FOLDER.resolve("model.onnx"));
        NodeProto head = OnnxModelProtos.proto(graph).getGraph().getNodeList().stream()
                .filter(node -> node.getOutputList().contains("logits")).findFirst().orElseThrow();
        int hiddenSize = Qwen3Fixture.REFERENCE.at("/config/hidden_size").asInt();
        int vocabulary = Qwen3Fixture.REFERENCE.at("/config/vocab_size").asInt();
        // The head multiplies by the tied embedding [vocabulary, hidden] transposed, stored transposed or as a
        // Transpose node of the embedding: either way weight(d, token) is read below.
        String weightName = head.getInput(1);
        boolean transposedInGraph = graph.initializers().stream().noneMatch(i -> i.name().equals(weightName));
        float[] weights;
        if (transposedInGraph) {
            NodeProto transpose = OnnxModelProtos.proto(graph).getGraph().getNodeList().stream()
                    .filter(node -> node.getOutputList().contains(weightName)).findFirst().orElseThrow();
            assertThat(transpose.getOpType()).isEqualTo("Transpose");
            weights = graph.floatInitializer(transpose.getInput(0));
        } else {
            weights = graph.floatInitializer(weightName);
        }
        assertThat(weights).hasSize(hiddenSize * vocabulary);
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            float[] hidden = model.promptHiddenState(rendering.text());
            assertThat(hidden).hasSize(hiddenSize);
            assertThat(model.promptHiddenState(rendering.text())).as("deterministic").containsExactly(hidden);
            double[] expected = Qwen3Fixture.doubles(rendering.node().at("/last_position/logits_first16"));
            for (int token = 0; token < expected.length; token++) {
                double logit = 0;
                for (int d = 0; d < hiddenSize; d++) {
                    logit += hidden[d] * (transposedInGraph ? weights[token * hiddenSize + d]
                            : weights[d * vocabulary + token]);
                }
                assertThat(logit).as(rendering + " logit " + token).isCloseTo(expected[token], within(1e-4));
            }
        }
    }

    @Test
    void formatConversationIsTheChatTemplate() {
        for (Qwen3Fixture.Rendering rendering : Qwen3Fixture.renderings()) {
            if (!rendering.variables().isEmpty()) {
                continue;
            }
            List<ChatTurn> turns = rendering.messages().stream().map(m -> new ChatTurn(
                    ChatTurn.Role.valueOf(m.role().toUpperCase(java.util.Locale.ROOT)), m.content())).toList();
            assertThat(model.formatConversation(turns)).isEqualTo(rendering.text());
        }
        String open = model.formatConversation(List.of(ChatTurn.user("2 + 3?"), ChatTurn.assistant("It is")));
        assertThat(open).startsWith(model.formatPrompt("2 + 3?")).endsWith("It is");
        // The template trims the assistant's text; the white space it dropped is put back, so the model continues
        // from the text's last character (a step that ended a line goes on with the next).
        String line = model.formatConversation(List.of(ChatTurn.user("2 + 3?"), ChatTurn.assistant("It is 5.\n")));
        assertThat(line).isEqualTo(open.substring(0, open.length() - "It is".length()) + "It is 5.\n");
        String spaced = model.formatConversation(List.of(ChatTurn.user("2 + 3?"), ChatTurn.assistant("It is ")));
        assertThat(spaced).isEqualTo(open + " ");
        assertThatThrownBy(() -> model.formatConversation(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
