package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.aggregate.LikelihoodChainScorer;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The white-box techniques on the real tiny reasoner, two ways: in-process (the model scores the text) and from the
 * log-probabilities a model returns with what it generated (as a served model does). For the same chain, both give
 * the same likelihood score, token probabilities and R-Tuning P(sure), up to float rounding between the cached
 * decoder and a full forward pass.
 */
class LogProbPathsAgreeTest {

    private static final String EASY = "Owen has 7 stones. He triples them. How many stones does Owen have?";
    private static final String HARDER = "Mia has 48 shells. She gives away 19 and then finds 7 more. How many "
            + "shells does Mia have?";
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        model = TinyReasoner.builder().intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void sampledChainsScoreAsTheLocalModelScoresThem() {
        LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(1.5).maxTokens(120).build();
        SampleBatch batch = sampler.sample(HARDER, 4, 7);
        List<ReasoningChain> chains = batch.chains(sampler.name());
        assertThat(chains).hasSize(4).allSatisfy(chain -> assertThat(chain.hasTokenLogProbs()).isTrue());

        ChainScorer.Scores local = LikelihoodChainScorer.of(model).scoreLocally(HARDER, chains, List.of());
        ChainScorer.Scores sampled = LikelihoodChainScorer.fromSampledLogProbs().scoreLocally(HARDER, chains,
                List.of());

        assertThat(sampled.usage().modelCalls()).isZero();
        assertThat(local.usage().modelCalls()).isEqualTo(4);
        for (int i = 0; i < chains.size(); i++) {
            double viaModel = model.continuationLogProbs(TinyReasoner.prompt(HARDER), " " + chains.get(i).text())
                    .length;
            assertThat(chains.get(i).tokenLogProbs()).hasSize((int) viaModel);
            assertThat(sampled.scores().get(i)).isCloseTo(local.scores().get(i), within(1e-3));
        }
        // The chains differ (a hot temperature), so the agreement is not one of constants.
        assertThat(local.scores().stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    void pSureIsReadAtTheLetterAfterTheSharedSpace() {
        String context = TinyReasoner.prompt(EASY) + " 7*3=21. The answer is 21.\n"
                + TokenProbabilityConfidence.SURE_QUESTION;
        float[] sure = model.continuationLogProbs(context, SureQuestion.SURE);
        float[] unsure = model.continuationLogProbs(context, SureQuestion.UNSURE);

        // The space both continuations start with comes out of the same prefix, so it compares equal.
        assertThat(sure[0]).isEqualTo(unsure[0]);
        double expected = LogisticRegression.sigmoid(model.continuationLogProbs(context + " ", "s")[0]
                - model.continuationLogProbs(context + " ", "u")[0]);
        assertThat(SureQuestion.fromContinuations(sure, unsure).pSure()).hasValueSatisfying(
                p -> assertThat(p).isCloseTo(expected, within(1e-6)));
    }

    @Test
    void aServedModelsLogProbsGiveTheInProcessConfidenceAndPSure() {
        for (String question : List.of(EASY, HARDER)) {
            ConfidenceEstimate inProcess = TokenProbabilityConfidence.builder().model(model)
                    .promptFormat(TinyReasoner::prompt).generationOptions(GenerationOptions.greedy(80)).build()
                    .estimate(question);
            ConfidenceEstimate served = TokenProbabilityConfidence.builder().model(new ServedTinyReasoner())
                    .generationOptions(GenerationOptions.greedy(80)).build().estimate(question);

            assertThat(served.answer()).isEqualTo(inProcess.answer());
            assertThat(served.signals()).containsEntry("p_sure_available", 1.0);
            for (String signal : List.of("mean_token_probability", "min_token_probability",
                    "geometric_mean_token_probability", "response_mean_token_probability", "p_sure", "r_tuning")) {
                assertThat(served.signals().get(signal)).as(signal + " of " + question)
                        .isCloseTo(inProcess.signals().get(signal), within(1e-4));
            }
        }
    }

    @Test
    void aSampledChainsOwnLogProbsGiveTheInProcessTokenProbabilities() {
        LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(0.8).maxTokens(120).build();
        ReasoningChain chain = sampler.sample(HARDER, 1, 3).chains(sampler.name()).get(0);
        ChatModel served = new ServedTinyReasoner();
        // The local sampler records no token texts, so the chain is replayed with the served model's tokens.
        List<TokenLogProb> spelled = ServedTinyReasoner.tokens(" " + chain.text(), chain.tokenLogProbs());
        ReasoningChain withTexts = new ReasoningChain(chain.text(), chain.source(), 1, spelled);

        ConfidenceEstimate inProcess = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(question -> TinyReasoner.prompt(question) + " ").build()
                .estimate(HARDER, List.of(chain));
        ConfidenceEstimate fromChain = TokenProbabilityConfidence.builder().model(served).build()
                .estimate(HARDER, List.of(withTexts));

        for (String signal : List.of("mean_token_probability", "geometric_mean_token_probability", "p_sure")) {
            assertThat(fromChain.signals().get(signal)).as(signal)
                    .isCloseTo(inProcess.signals().get(signal), within(1e-4));
        }
    }

    /**
     * The tiny reasoner as a served model answers: a conversation rendered the way an OpenAI-compatible server over
     * it renders one (the first user turn in the model's prompt format, an assistant turn appended, a later user
     * turn after a newline), decoded greedily, with each generated token's text and log-probability and, at the
     * first two tokens of a short reply, the log-probabilities of a few candidate tokens as its alternatives.
     */
    private static final class ServedTinyReasoner implements ChatModel {

        private static final List<String> CANDIDATES = List.of(" ", "s", "u", "n", "\n", ".");

        @Override
        public ChatResponse doChat(ChatRequest request) {
            StringBuilder prompt = new StringBuilder();
            for (ChatMessage message : request.messages()) {
                if (message instanceof UserMessage user) {
                    prompt.append(prompt.length() == 0 ? TinyReasoner.prompt(user.singleText())
                            : "\n" + user.singleText());
                } else if (message instanceof AiMessage ai) {
                    prompt.append(ai.text());
                }
            }
            ChatRequestParameters parameters = request.parameters();
            int maxTokens = parameters.maxOutputTokens() == null ? 80 : parameters.maxOutputTokens();
            Generation generation = model.generate(prompt.toString(), 1, GenerationOptions.greedy(maxTokens)).get(0);
            float[] logProbs = generation.tokenLogProbs();
            List<TokenLogProb> tokens = new ArrayList<>();
            StringBuilder generated = new StringBuilder();
            for (int i = 0; i < logProbs.length; i++) {
                String token = model.decode(new int[] {generation.tokenIds()[i]}, false);
                List<TokenLogProb.Alternative> alternatives = maxTokens <= 4 && i < 2
                        ? alternatives(prompt + generated.toString()) : List.of();
                tokens.add(new TokenLogProb(token, Math.min(0, logProbs[i]), alternatives));
                generated.append(token);
            }
            return ChatResponse.builder().aiMessage(AiMessage.from(generation.text()))
                    .metadata(ReasoningChatResponseMetadata.builder().modelName(model.modelId())
                            .tokenUsage(new TokenUsage(generation.promptTokens(), logProbs.length))
                            .tokenLogProbs(tokens).build())
                    .build();
        }

        /**
         * The candidates R-Tuning's reply turns on after {@code context}, most likely first: one forward pass per
         * candidate, as the model SPI has no next-token distribution (a server reads all of them from one pass).
         */
        private static List<TokenLogProb.Alternative> alternatives(String context) {
            return CANDIDATES.stream()
                    .map(token -> new TokenLogProb.Alternative(token,
                            Math.min(0, model.continuationLogProbs(context, token)[0])))
                    .sorted(Comparator.comparingDouble(TokenLogProb.Alternative::logProb).reversed())
                    .toList();
        }

        /** {@code logProbs} with the characters of {@code text} as their token texts. */
        static List<TokenLogProb> tokens(String text, List<TokenLogProb> logProbs) {
            assertThat(text).hasSize(logProbs.size());
            return IntStream.range(0, text.length())
                    .mapToObj(i -> TokenLogProb.of(String.valueOf(text.charAt(i)), logProbs.get(i).logProb()))
                    .toList();
        }
    }
}
