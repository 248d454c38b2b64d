package dev.reasoningsdk.impl.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.OptimizationStep;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.llm.LocalCausalLmChatModel;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.prompt.ChatModelParaphraser;
import dev.reasoningsdk.impl.prompt.HillClimbing;
import dev.reasoningsdk.impl.prompt.SearchSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, must-show 4, on a real model: a Plum hill-climbing search whose paraphrases ({@code sub} edits) and
 * objective (accuracy on sampled answers to arithmetic questions) both come from the embedded tiny reasoner, run
 * twice through one cache file. The second run makes no model call and gives the same history.
 */
class PromptSearchReplayTest {

    private record Question(String text, int answer) {
    }

    private static final List<Question> QUESTIONS = List.of(
            new Question("Ana starts with 7 shells. She sells 4. How many shells does she have now?", 3),
            new Question("Sam has 14 apples. He buys 7 more. How many apples does Sam have?", 21),
            new Question("A box holds 6 pens. Tom buys 3 boxes. How many pens does Tom have?", 18),
            new Question("Lee had 20 cards. He gave 8 to his sister. How many cards does Lee have left?", 12));
    private static final String INITIAL = "Read the question with care.\nWork it out step by step.\n"
            + "End with the number.";
    private static HuggingFaceOnnxModel tiny;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        tiny = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1).build();
    }

    @AfterAll
    static void close() {
        tiny.close();
    }

    private record Run(OptimizationResult result, int modelCalls, CacheStats stats) {
    }

    /**
     * One search through the cache at {@code file}, on a fresh chat model over the tiny reasoner seeded with
     * {@code modelSeed}. The candidate goes out as the system message and each question as the user message; the
     * tiny reasoner answers the question alone (it was trained on bare questions), so a candidate's score is what
     * its four sampled answers (temperature 0.8) got: a noisy objective, the case where only a cache replays a
     * search. Asking it for paraphrases yields arithmetic-flavoured lines that the {@code sub} edits use.
     * Every reply is non-empty (an empty one would not be stored and the replay would call again).
     */
    private static Run search(Path file, long modelSeed) {
        CountingModel model = CountingModel.counting(LocalCausalLmChatModel.builder().model(tiny).temperature(0.8)
                .seed(modelSeed).build());
        try (CachingChatModel cached = CachingChatModel.of(model, file); ModelGateway gateway = ModelGateway.of(cached)) {
            PromptObjective objective = prompt -> {
                Usage usage = Usage.NONE;
                int correct = 0;
                for (Question question : QUESTIONS) {
                    ChatCalls.Reply reply = ChatCalls.sample(gateway.session(), ChatRequest.builder()
                            .messages(SystemMessage.from(prompt), UserMessage.from(question.text())).build());
                    usage = usage.plus(reply.usage());
                    if (reply.ok() && TinyReasoner.extractAnswer(reply.text()).equals(Optional.of(question.answer()))) {
                        correct++;
                    }
                }
                return new PromptObjective.Evaluation(100.0 * correct / QUESTIONS.size(), usage);
            };
            SearchSettings settings = SearchSettings.builder().paraphraser(ChatModelParaphraser.of(gateway, 3))
                    .maxEvaluations(16).maxIterations(16).patience(6).candidatesPerStep(3).seed(5)
                    .build();
            OptimizationResult result = HillClimbing.builder().settings(settings).build().optimize(INITIAL, objective);
            return new Run(result, model.calls(), cached.stats());
        }
    }

    @Test
    void aSearchRunTwiceWithTheCacheMakesNoModelCallTheSecondTimeAndGivesTheSameHistory() {
        Path file = dir.resolve("search-cache.db");
        Run first = search(file, 0);
        // A different seed: any call that reached the model would draw different replies.
        Run second = search(file, 12345);

        assertThat(first.modelCalls()).isGreaterThan(QUESTIONS.size());
        assertThat(first.stats().misses()).isEqualTo(first.modelCalls());
        assertThat(first.result().history()).extracting(OptimizationStep::edit)
                .as("the model's paraphrases were used").anyMatch(edit -> edit.startsWith("sub"));

        assertThat(second.modelCalls()).isZero();
        assertThat(second.stats().misses()).isZero();
        assertThat(second.stats().hits()).isEqualTo(first.stats().requests());
        assertThat(second.result().history()).isEqualTo(first.result().history());
        assertThat(second.result().bestPrompt()).isEqualTo(first.result().bestPrompt());
        assertThat(second.result().bestScore()).isEqualTo(first.result().bestScore());
        assertThat(second.result().evaluations()).isEqualTo(first.result().evaluations());
        assertThat(second.result().stopReason()).isEqualTo(first.result().stopReason());
        System.out.printf("prompt search replay: first run %d model calls, %s; second run %d model calls, %s;"
                        + " %d steps, best %.1f -> %.1f%n", first.modelCalls(), first.stats(), second.modelCalls(),
                second.stats(), first.result().history().size(), first.result().initialScore(),
                first.result().bestScore());
    }
}
