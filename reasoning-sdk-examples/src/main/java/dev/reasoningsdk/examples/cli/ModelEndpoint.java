package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.examples.cli.ModelOptions.Provider;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A checked model choice from {@link ModelOptions}: the provider, and for a remote one its base URL, model, API key
 * (never printed), total call budget ({@code maxCalls}, 0 for none), per-call timeout and, for openai, the
 * alternatives asked for at each token ({@code topLogprobs}). A local one is the embedded tiny reasoner, or with
 * {@code folder} a Hugging Face ONNX export folder run in process ({@code --provider local --model DIR}), whose
 * {@code model} is the folder's name (the model id its loader gives it) and whose calls take the budget, timeout and
 * top log-probabilities as a served model's do.
 */
record ModelEndpoint(Provider provider, String baseUrl, String model, String apiKey, int maxCalls,
                     Duration callTimeout, int topLogprobs, Path folder) {

    /** A remote endpoint (or the embedded model when {@code provider} is local). */
    ModelEndpoint(Provider provider, String baseUrl, String model, String apiKey, int maxCalls, Duration callTimeout,
                  int topLogprobs) {
        this(provider, baseUrl, model, apiKey, maxCalls, callTimeout, topLogprobs, null);
    }

    /** The embedded tiny reasoner. */
    static ModelEndpoint local() {
        return new ModelEndpoint(Provider.LOCAL, null, null, null, 0, null, 0);
    }

    /**
     * A Hugging Face ONNX export folder in process, named as its loader names it (the folder's name).
     *
     * @param folder the export folder, as given ({@code --model DIR})
     */
    static ModelEndpoint folder(Path folder, int maxCalls, Duration callTimeout, int topLogprobs) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return new ModelEndpoint(Provider.LOCAL, null, name == null ? folder.toString() : name.toString(), null,
                maxCalls, callTimeout, topLogprobs, folder);
    }

    /** Whether the model is served over HTTP (openai or ollama). */
    boolean isRemote() {
        return provider != Provider.LOCAL;
    }

    /** Whether the model is a Hugging Face export folder run in process ({@code --model DIR}). */
    boolean isFolder() {
        return folder != null;
    }

    /**
     * Whether the model is called through a chat API: a remote server, or an export folder, which
     * {@link RemoteModel#open} serves on loopback in process; not the embedded tiny reasoner, sampled directly.
     */
    boolean isServed() {
        return isRemote() || isFolder();
    }

    /**
     * The loader of {@link #folder} ({@link #folderLoader(Path)}).
     *
     * @throws IllegalStateException if this is not a folder
     */
    HuggingFaceOnnxModel.Builder folderLoader() {
        if (folder == null) {
            throw new IllegalStateException("not an export folder: " + this);
        }
        return folderLoader(folder);
    }

    /**
     * The loader of a Hugging Face ONNX export folder, the one every command that takes {@code --model DIR} loads it
     * with ({@code serve}, {@code step-reward train}, the live benches and {@code verifier sample}), so a folder one
     * of them refuses, every one refuses with the same message.
     */
    static HuggingFaceOnnxModel.Builder folderLoader(Path folder) {
        return HuggingFaceOnnxModel.builder().folder(folder);
    }

    /**
     * Refuses, before any of them runs, the first of {@code rows} of the problems file {@code file} whose question
     * {@code model} cannot read ({@link #requireReadable(CausalLanguageModel, String, String)}), naming it by its
     * 0-based row of the file.
     *
     * @param rows          the 0-based rows (blank lines aside) that will run
     * @param questionOnRow the question on a row
     * @throws IllegalArgumentException naming the row, the file, the question's opening words and why
     */
    static void requireReadable(CausalLanguageModel model, Path file, Collection<Integer> rows,
                                IntFunction<String> questionOnRow) {
        for (int row : rows) {
            requireReadable(model, questionOnRow.apply(row), "row " + row + " (0-based) of " + file.getFileName());
        }
    }

    /**
     * Refuses {@code question} if the local model cannot read it (a character outside its vocabulary, a prompt that
     * fills its context), naming it as {@code which} ("row 2 (0-based) of own.jsonl") and by its opening words: every
     * command that runs problems through a model in process checks them with this before the first one runs, rather
     * than stop on one once it reaches it with the tokenizer's message alone.
     *
     * @throws IllegalArgumentException naming {@code which}, the question's opening words and why it cannot be read
     */
    static void requireReadable(CausalLanguageModel model, String question, String which) {
        requireReadable(model, question, which, "--problems");
    }

    /**
     * {@link #requireReadable(CausalLanguageModel, String, String)} for a question the caller gave as {@code option}
     * ({@code --problems}'s rows, or {@code solve}'s {@code QUESTION}), which the message opens with.
     */
    static void requireReadable(CausalLanguageModel model, String question, String which, String option) {
        String why;
        try {
            int tokens = model.promptTokenCount(model.formatPrompt(question)).orElse(0);
            why = tokens < model.contextLength() ? null : "its prompt has " + tokens + " tokens and the context "
                    + "holds " + model.contextLength() + ", generated tokens included";
        } catch (IllegalArgumentException unreadable) {
            why = unreadable.getMessage();
        }
        if (why != null) {
            String shown = question.replace('\n', ' ');
            throw new IllegalArgumentException(option + ": " + model.modelId() + " cannot read " + which + " (\""
                    + (shown.length() <= 60 ? shown : shown.substring(0, 60) + "...") + "\"): " + why);
        }
    }

    /**
     * Refuses, for an export folder's model ({@code --model DIR}; nothing for null), a {@code question} it cannot
     * read and a {@code --max-tokens} (null when not given) beyond its context, which its loopback server, as
     * {@code reasoning serve --model DIR}, would refuse on every call.
     *
     * @throws IllegalArgumentException naming {@code QUESTION} or {@code --max-tokens} and why
     */
    static void requireFolderReads(HuggingFaceOnnxModel folder, String question, Integer maxTokens) {
        if (folder == null) {
            return;
        }
        requireReadable(folder, question, "it", "QUESTION");
        requireMaxTokensFit(folder, maxTokens);
    }

    /**
     * Refuses a {@code --max-tokens} (null when not given) beyond an export folder's context: its loopback server, as
     * {@code reasoning serve --model DIR}, would refuse it on every call.
     *
     * @throws IllegalArgumentException naming {@code --max-tokens} and the folder's context
     */
    static void requireMaxTokensFit(HuggingFaceOnnxModel folder, Integer maxTokens) {
        if (maxTokens != null && maxTokens > folder.contextLength()) {
            throw new IllegalArgumentException("--max-tokens must be at most " + folder.contextLength()
                    + " with --model DIR (the context of " + folder.modelId() + "), was " + maxTokens);
        }
    }

    /** The provider's CLI name: local, openai or ollama. */
    String providerName() {
        return provider.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The model options that choose this model again on another command's line, with a leading space: none for the
     * embedded tiny reasoner, {@code --model DIR} for a folder, else the provider, base URL and model.
     */
    String modelOptions() {
        if (!isServed()) {
            return "";
        }
        return isFolder() ? " --model " + folder : " --provider " + providerName() + " --base-url " + baseUrl
                + " --model " + model;
    }

    /** The provider, base URL (or folder), model, budget and timeout as bench figures (no API key). */
    BenchReport describe() {
        BenchReport report = new BenchReport().put("provider", providerName());
        if (isServed()) {
            report.put(isRemote() ? "base_url" : "folder", isRemote() ? baseUrl : folder.toString()).put("model", model)
                    .put("max_calls", maxCalls == 0 ? "none" : maxCalls)
                    .put("call_timeout_seconds", callTimeout.toMillis() / 1000.0);
            if (provider == Provider.OPENAI || isFolder()) {
                report.put("top_logprobs", topLogprobs);
            }
        }
        return report;
    }

    /** Everything but the API key. */
    @Override
    public String toString() {
        return "ModelEndpoint[" + providerName() + (isRemote() ? " " + model + " at " + baseUrl
                : isFolder() ? " " + model + " from " + folder : "") + "]";
    }
}
