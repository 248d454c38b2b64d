package dev.reasoningsdk.impl.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.model.ChatTurn;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A validated Ollama {@code POST /api/chat} body, as LangChain4j's {@code OllamaChatModel} sends it: {@code model},
 * {@code messages} (read as {@link ChatCompletionRequest#turns} reads OpenAI's, so both wires render one conversation
 * alike), {@code stream} (Ollama's default true), and {@code options} {@code temperature}, {@code top_p},
 * {@code top_k}, {@code seed}, {@code num_predict} (-1 and -2, Ollama's "no limit" and "fill the context", mean the
 * server's limit) and {@code stop}. An option that is absent means what the OpenAI endpoint's default means
 * (temperature 1, top-p 1, no top-k), so one request gives one reply on either wire. Options that only tune Ollama's
 * runtime ({@code num_ctx}, {@code num_thread}, ...) and {@code keep_alive} change nothing here and are accepted;
 * tools, {@code format}, {@code think}, images and sampling options the model seam cannot honour (penalties,
 * mirostat, min-p, typical-p) are refused with a 400 naming the field unless they hold their neutral value. A model
 * other than the served one is a 404 {@link OpenAiError#modelNotFound}; as Ollama does, a name without a tag means
 * its {@code :latest} tag ({@link #taggedName}), so {@code tiny-reasoner@1} and {@code tiny-reasoner@1:latest} are
 * one model.
 *
 * @param model     the model name as the request gave it, which Ollama's reply echoes
 * @param turns     the conversation
 * @param seed      the request's seed, if it gave one
 * @param temperature sampling temperature (0 is greedy)
 * @param topP      nucleus mass
 * @param topK      most likely tokens kept (0: all)
 * @param maxTokens generated tokens at most
 * @param stop      sequences that end the text
 * @param stream    whether to answer with Ollama's stream of JSON lines
 */
record OllamaChatRequest(String model, List<ChatTurn> turns, OptionalLong seed, double temperature, double topP,
                         int topK, int maxTokens, List<String> stop, boolean stream) {

    /** Ollama options that tune its runtime, not the text: nothing to do here. */
    private static final Set<String> RUNTIME_OPTIONS = Set.of("num_ctx", "num_thread", "num_batch", "num_gpu",
            "main_gpu", "use_mmap", "use_mlock", "num_keep", "low_vram", "numa");
    /** Sampling options the model cannot honour, with the value that leaves the sampling as it is. */
    private static final Map<String, Double> NEUTRAL_OPTIONS = Map.of("repeat_penalty", 1.0,
            "presence_penalty", 0.0, "frequency_penalty", 0.0, "mirostat", 0.0, "min_p", 0.0, "typical_p", 1.0,
            "repeat_last_n", 64.0, "mirostat_eta", 0.1, "mirostat_tau", 5.0, "tfs_z", 1.0);
    private static final Set<String> SAMPLING_OPTIONS = Set.of("temperature", "top_p", "top_k", "seed",
            "num_predict", "stop");

    /** The tag Ollama gives a name that states none. */
    static final String DEFAULT_TAG = "latest";

    /**
     * {@code name} as Ollama lists and resolves it: with its tag, {@code name:latest} when it states none. The tag
     * follows the last {@code :} of the name's last {@code /}-separated part, so a registry's {@code host:port/} is
     * no tag.
     */
    static String taggedName(String name) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        return last.contains(":") ? name : name + ":" + DEFAULT_TAG;
    }

    /**
     * Validates {@code body}.
     *
     * @param modelName the one model name served
     * @param maxTokens the most tokens a reply may ask for, and what "no limit" gets
     * @throws OpenAiError naming the first bad field
     */
    static OllamaChatRequest parse(JsonNode body, String modelName, int maxTokens) {
        if (!body.isObject()) {
            throw OpenAiError.unparsable("the request body must be a JSON object");
        }
        JsonNode model = body.get("model");
        if (model == null || model.isNull() || !model.isTextual() || model.asText().isBlank()) {
            throw OpenAiError.invalid("model", "model is required (this server serves '" + modelName + "')");
        }
        if (!taggedName(model.asText()).equals(taggedName(modelName))) {
            throw OpenAiError.modelNotFound(model.asText(), taggedName(modelName));
        }
        JsonNode messages = body.get("messages");
        if (messages != null && messages.isArray()) {
            for (int i = 0; i < messages.size(); i++) {
                JsonNode images = messages.get(i).get("images");
                if (images != null && !images.isNull() && !(images.isArray() && images.isEmpty())) {
                    throw OpenAiError.invalid("messages[" + i + "].images", "images are not supported: the model "
                            + "reads text only");
                }
            }
        }
        List<ChatTurn> turns = ChatCompletionRequest.turns(messages);
        boolean stream = !ChatCompletionRequest.present(body, "stream")
                || ChatCompletionRequest.optionalBoolean(body, "stream", "stream");
        if (ChatCompletionRequest.present(body, "tools") && !body.get("tools").isEmpty()) {
            throw OpenAiError.invalid("tools", "tools are not supported: the model has no tools");
        }
        if (ChatCompletionRequest.present(body, "format")) {
            throw OpenAiError.invalid("format", "format is not supported: the model answers in free text only");
        }
        if (ChatCompletionRequest.optionalBoolean(body, "think", "think")) {
            throw OpenAiError.invalid("think", "think is not supported: the model's reasoning is its answer");
        }
        JsonNode options = body.get("options");
        if (options == null || options.isNull()) {
            return new OllamaChatRequest(model.asText(), turns, OptionalLong.empty(), 1, 1, 0, maxTokens, List.of(),
                    stream);
        }
        if (!options.isObject()) {
            throw OpenAiError.invalid("options", "options must be an object");
        }
        refuseUnhonoured(options);
        OptionalLong seed = ChatCompletionRequest.present(options, "seed")
                ? OptionalLong.of(ChatCompletionRequest.integer(options, "seed")) : OptionalLong.empty();
        double temperature = ChatCompletionRequest.temperature(options);
        double topP = ChatCompletionRequest.topP(options);
        int topK = ChatCompletionRequest.optionalInt(options, "top_k", 0, 0, Integer.MAX_VALUE);
        int numPredict = ChatCompletionRequest.optionalInt(options, "num_predict", -1, -2, maxTokens);
        if (numPredict == 0) {
            throw OpenAiError.invalid("num_predict", "num_predict must be at least 1, or -1 for no limit");
        }
        List<String> stop = ChatCompletionRequest.stop(options.get("stop"));
        return new OllamaChatRequest(model.asText(), turns, seed, temperature, topP, topK,
                numPredict < 0 ? maxTokens : numPredict, stop, stream);
    }

    /** Refuses an option that would change the text in a way the model cannot, so a client never silently gets less. */
    private static void refuseUnhonoured(JsonNode options) {
        for (Iterator<String> names = options.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (SAMPLING_OPTIONS.contains(name) || RUNTIME_OPTIONS.contains(name) || options.get(name).isNull()) {
                continue;
            }
            Double neutral = NEUTRAL_OPTIONS.get(name);
            if (neutral == null) {
                throw OpenAiError.invalid(name, "option " + name + " is not supported");
            }
            if (ChatCompletionRequest.optionalNumber(options, name, neutral) != neutral) {
                throw OpenAiError.invalid(name, "option " + name + " is not supported (only " + neutral + ")");
            }
        }
    }
}
