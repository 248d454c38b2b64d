package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import picocli.CommandLine.Option;

/**
 * {@code --temperature} and {@code --max-tokens}, one spelling and meaning for every command that samples chains
 * from a model ({@code solve}, {@code verifier sample}, {@code bench confidence --live}): a command's samples are
 * drawn at the temperature, each cut at the token cap, in process or on a served model, where the cap goes out with
 * each sample request as LangChain4j's {@code maxOutputTokens} (OpenAI's {@code max_tokens}, Ollama's
 * {@code num_predict}) so the server cuts the sample there; a cut sample is truncated and never a chain. Other calls
 * of the run (an LLM judge's) keep the server's length.
 */
final class SamplingOptions {

    /** The sampling temperature without {@code --temperature}, the live benches' since their first figures. */
    static final double DEFAULT_TEMPERATURE = 0.8;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 is greedy (default: "
            + "${DEFAULT-VALUE}).")
    double temperature = DEFAULT_TEMPERATURE;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Most tokens per sample (default: the model's "
            + "context, or a served model's own length); sent to a served model with each sample (max_tokens, "
            + "Ollama's num_predict).")
    Integer maxTokens;

    /**
     * Checks both options as the caller gave them ({@link ModelOptions#requireSampling}).
     *
     * @throws IllegalArgumentException if the temperature is negative, NaN or infinite, or the cap is below 1
     */
    void check() {
        ModelOptions.requireSampling(temperature, maxTokens);
    }

    /**
     * Refuses a cap beyond an export folder's context ({@code --model DIR}; {@link ModelEndpoint#requireMaxTokensFit}).
     *
     * @throws IllegalArgumentException naming the folder's context
     */
    void requireFits(HuggingFaceOnnxModel folder) {
        ModelEndpoint.requireMaxTokensFit(folder, maxTokens);
    }

    /** A sampler over the run's served model (or export folder on loopback) with both options. */
    ChainSampler sampler(RemoteModel remote) {
        return remote.sampler(temperature, maxTokens);
    }

    /** A sampler of {@code model} in process with both options ({@link SolveCommand#localSampler}). */
    LocalModelSampler sampler(HuggingFaceOnnxModel model) {
        return SolveCommand.localSampler(model, temperature, maxTokens);
    }

    /** Both options into {@code report}, as a run states what it ran with: {@code max_tokens} only when given. */
    BenchReport report(BenchReport report) {
        report.put("temperature", temperature);
        return maxTokens == null ? report : report.put("max_tokens", maxTokens);
    }
}
