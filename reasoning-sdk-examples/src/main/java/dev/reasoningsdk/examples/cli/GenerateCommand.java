package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.onnx.hf.ChatMessage;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning generate --model DIR (--system TEXT --user TEXT | --messages FILE) [--no-thinking]}: one
 * continuation of a conversation by a Hugging Face export folder loaded in process ({@link HuggingFaceOnnxModel}).
 * With {@code --json} it prints the rendered {@code prompt}, {@code prompt_token_ids}, the generated
 * {@code token_ids} with their {@code token_logprobs} (natural log, temperature 1), the {@code text}, the
 * {@code finish_reason}, {@code top_logprobs} when asked, and the {@code usage}; otherwise the text alone.
 *
 * <p>Defaults: the publisher's sampling settings from {@code generation_config.json} (greedy when it does not
 * sample), 256 new tokens, seed 0. {@code --temperature 0} is greedy; another temperature keeps the publisher's
 * top-p and top-k.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a conversation with a Hugging Face ONNX export folder, in process.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    @Mixin
    private ConversationOptions conversation;

    @Option(names = "--max-tokens", defaultValue = "256", paramLabel = "N",
            description = "Most new tokens (default ${DEFAULT-VALUE}).")
    private int maxTokens;

    @Option(names = "--temperature", paramLabel = "T",
            description = "Sampling temperature; 0 is greedy (default: generation_config.json's setting).")
    private Double temperature;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed of sampling (default 0).")
    private long seed;

    @Option(names = "--top-logprobs", defaultValue = "0", paramLabel = "K",
            description = "Also report the K most likely tokens at each position (default 0).")
    private int topLogProbs;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be >= 1, was " + maxTokens);
        }
        if (topLogProbs < 0) {
            throw new IllegalArgumentException("--top-logprobs must be >= 0, was " + topLogProbs);
        }
        if (temperature != null && !(temperature >= 0)) {
            throw new IllegalArgumentException("--temperature must be >= 0, was " + temperature);
        }
        List<ChatMessage> messages = conversation.messages();
        long started = System.nanoTime();
        try (HuggingFaceOnnxModel model = conversation.load()) {
            String prompt = conversation.prompt(model, messages);
            Generation generation = model.generate(prompt, 1, options(model)).get(0);
            double wallMs = (System.nanoTime() - started) / 1e6;
            if (!json) {
                System.out.println(generation.text());
                System.out.flush();
                return 0;
            }
            BenchReport report = new BenchReport()
                    .put("model", model.modelId())
                    .put("prompt", prompt)
                    .put("prompt_token_ids", model.encode(prompt))
                    .put("token_ids", generation.tokenIds())
                    .put("token_logprobs", generation.tokenLogProbs())
                    .put("text", generation.text())
                    .put("finish_reason", generation.finishReason().name().toLowerCase(java.util.Locale.ROOT));
            if (topLogProbs > 0) {
                report.put("top_logprobs", topLogProbs(generation));
            }
            report.put("usage", new BenchReport()
                    .put("prompt_tokens", generation.promptTokens())
                    .put("completion_tokens", generation.tokenIds().length)
                    .put("wall_ms", wallMs));
            report.print(System.out, true);
        }
        return 0;
    }

    private GenerationOptions options(HuggingFaceOnnxModel model) {
        GenerationOptions defaults = model.defaultOptions(maxTokens, seed);
        GenerationOptions chosen;
        if (temperature == null) {
            chosen = defaults;
        } else if (temperature == 0) {
            chosen = GenerationOptions.greedy(maxTokens);
        } else {
            chosen = new GenerationOptions(temperature, defaults.topP(), defaults.topK(), maxTokens, seed);
        }
        return chosen.withTopLogProbs(topLogProbs);
    }

    /** Per position: the alternatives as {@code {token, logprob}}, most likely first. */
    private static List<List<Map<String, Object>>> topLogProbs(Generation generation) {
        List<List<Map<String, Object>>> positions = new ArrayList<>();
        for (TokenLogProb token : generation.tokens()) {
            positions.add(token.alternatives().stream()
                    .map(a -> Map.<String, Object>of("token", a.token(), "logprob", a.logProb())).toList());
        }
        return positions;
    }
}
