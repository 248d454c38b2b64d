package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.impl.onnx.ConcurrentUse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One {@link HuggingFaceOnnxModel} (the qwen3-tiny-random export: Jinjava chat template, DJL tokenizer, KV-cached
 * decoding) shared by several threads: renderings, token ids, seeded generations, continuation scores and hidden
 * states are exactly what the same call gives alone.
 */
class HuggingFaceOnnxConcurrencyTest {

    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        model = Qwen3Fixture.open();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static String describe(Generation generation) {
        return generation.text() + " " + Arrays.toString(generation.tokenIds()) + " "
                + Arrays.toString(generation.tokenLogProbs()) + " " + generation.finishReason() + " "
                + generation.tokens();
    }

    @Test
    void renderingsAndTokenIdsMatchTheReferenceFromEveryThread() throws InterruptedException {
        List<Qwen3Fixture.Rendering> renderings = Qwen3Fixture.renderings();
        List<Callable<String>> tasks = new ArrayList<>();
        for (Qwen3Fixture.Rendering rendering : renderings) {
            tasks.add(() -> {
                String prompt = model.formatChat(rendering.messages(), true, rendering.variables());
                assertThat(prompt).as(rendering.toString()).isEqualTo(rendering.text());
                assertThat(model.encode(prompt)).as(rendering.toString()).containsExactly(rendering.inputIds());
                return prompt;
            });
        }
        assertThat(ConcurrentUse.run(ConcurrentUse.twice(tasks))).hasSize(2 * renderings.size());
    }

    @Test
    void seededGenerationsAreTheSameConcurrentlyAsAlone() throws InterruptedException {
        List<String> prompts = Qwen3Fixture.renderings().stream().map(Qwen3Fixture.Rendering::text).distinct()
                .limit(3).toList();
        // Each prompt with two seeds, two samples each, and the top alternatives of every token.
        List<Integer> jobs = IntStream.range(0, 2 * prompts.size()).boxed().toList();
        ConcurrentUse.sameConcurrentlyAsAlone(jobs, job -> {
            String prompt = prompts.get(job / 2);
            List<Generation> generations = model.generate(prompt, 2,
                    model.defaultOptions(12, 100 + job).withTopLogProbs(3));
            return generations.stream().map(HuggingFaceOnnxConcurrencyTest::describe).toList().toString();
        });
    }

    @Test
    void continuationScoresAndHiddenStatesAreTheSameConcurrentlyAsAlone() throws InterruptedException {
        List<String> questions = List.of("What is the capital of France?", "How many legs does a spider have?",
                "Sam has 14 apples. He buys 7 more. How many apples does Sam have?");
        ConcurrentUse.sameConcurrentlyAsAlone(questions, question -> {
            String prompt = model.formatChat(List.of(ChatMessage.user(question)), true,
                    Map.of("enable_thinking", false));
            StringBuilder out = new StringBuilder();
            out.append(Arrays.toString(model.continuationLogProbs(prompt, "I think the answer is 21.")));
            model.promptLayerHiddenStates(prompt)
                    .forEach((layer, state) -> out.append(' ').append(layer).append(Arrays.toString(state)));
            return out.toString();
        });
    }
}
