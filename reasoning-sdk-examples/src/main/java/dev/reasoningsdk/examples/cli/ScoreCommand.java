package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.onnx.hf.ChatMessage;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning score --model DIR (--system TEXT --user TEXT | --messages FILE) [--no-thinking] --continuation
 * TEXT}: the teacher-forced log-probability of a given continuation after the rendered conversation, in one forward
 * pass (what a likelihood scorer needs for text the model did not write). The continuation is tokenized on its own
 * and appended to the prompt's ids, as Hugging Face scores a continuation. With {@code --json} it prints
 * {@code continuation_logprob} (the sum, natural log), {@code mean_logprob}, {@code token_logprobs}, the
 * {@code prompt} and its ids, and the {@code usage}; otherwise one line.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Teacher-forced log-probability of a continuation after a conversation, with a Hugging Face "
                + "ONNX export folder.")
final class ScoreCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    @Mixin
    private ConversationOptions conversation;

    @Option(names = "--continuation", required = true, paramLabel = "TEXT", description = "The text to score.")
    private String continuation;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        // Blank is refused as well as empty: a continuation of spaces is an unset shell variable far more often than
        // the text someone means to score.
        Arguments.notBlank(continuation, "--continuation");
        List<ChatMessage> messages = conversation.messages();
        long started = System.nanoTime();
        try (HuggingFaceOnnxModel model = conversation.load()) {
            String prompt = conversation.prompt(model, messages);
            float[] logProbs = model.continuationLogProbs(prompt, continuation);
            double sum = 0;
            for (float logProb : logProbs) {
                sum += logProb;
            }
            double wallMs = (System.nanoTime() - started) / 1e6;
            if (!json) {
                System.out.printf(Locale.ROOT, "continuation_logprob %.6f over %d tokens (mean %.6f)%n", sum,
                        logProbs.length, sum / logProbs.length);
                System.out.flush();
                return 0;
            }
            int[] promptIds = model.encode(prompt);
            new BenchReport()
                    .put("model", model.modelId())
                    .put("prompt", prompt)
                    .put("prompt_token_ids", promptIds)
                    .put("continuation", continuation)
                    .put("continuation_logprob", sum)
                    .put("mean_logprob", sum / logProbs.length)
                    .put("token_logprobs", logProbs)
                    .put("usage", new BenchReport()
                            .put("prompt_tokens", promptIds.length)
                            .put("continuation_tokens", logProbs.length)
                            .put("wall_ms", wallMs))
                    .print(System.out, true);
        }
        return 0;
    }
}
