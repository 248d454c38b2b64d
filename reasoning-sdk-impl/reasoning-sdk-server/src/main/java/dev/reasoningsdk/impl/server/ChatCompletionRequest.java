package dev.reasoningsdk.impl.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.model.ChatTurn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A validated {@code POST /v1/chat/completions} body. Every field is checked as OpenAI documents it, and a bad
 * one is refused with a 400 naming it ({@link OpenAiError#invalid}); fields the server cannot honour (tools,
 * structured output, penalties, logit bias) are refused rather than silently ignored, and fields that change nothing
 * here ({@code user}, {@code store}, {@code metadata}, ...) are accepted. {@code model} is checked first, as OpenAI
 * and vLLM check it: missing or not a string is a 400 naming it, a name other than the one served a 404
 * {@code model_not_found} ({@link OpenAiError#modelNotFound}).
 *
 * @param turns        the conversation
 * @param n            choices to return
 * @param seed         the request's seed, if it gave one
 * @param temperature  sampling temperature (OpenAI's default 1; 0 is greedy)
 * @param topP         nucleus mass (default 1)
 * @param maxTokens    generated tokens per choice at most
 * @param logprobs     whether to return the chosen tokens' log-probabilities
 * @param topLogprobs  alternatives per position (0 to the server's limit, OpenAI's 20 by default)
 * @param stop         sequences that end a choice's text (at most 4)
 * @param stream       whether to answer with server-sent events
 * @param includeUsage whether a stream ends with a usage chunk
 *
 * <p>vLLM's {@code continue_final_message} (default false) and {@code add_generation_prompt} (default true) are
 * accepted with vLLM's meaning: continuing needs a final assistant message and {@code add_generation_prompt: false}
 * (both true is refused, as vLLM does), and {@code add_generation_prompt: false} is only accepted when continuing
 * (rendering a conversation without the generation prompt otherwise is not something the model seam offers). A
 * conversation that ends with an assistant message is continued either way.
 */
record ChatCompletionRequest(List<ChatTurn> turns, int n, OptionalLong seed, double temperature, double topP,
                             int maxTokens, boolean logprobs, int topLogprobs, List<String> stop, boolean stream,
                             boolean includeUsage) {

    /** OpenAI's limits. */
    static final double MAX_TEMPERATURE = 2;
    /** OpenAI's most alternatives per position; a server may allow more ({@code maxTopLogprobs}). */
    static final int MAX_TOP_LOGPROBS = 20;
    static final int MAX_STOP_SEQUENCES = 4;

    private static final Map<String, ChatTurn.Role> ROLES = Map.of("system", ChatTurn.Role.SYSTEM,
            "developer", ChatTurn.Role.SYSTEM, "user", ChatTurn.Role.USER, "assistant", ChatTurn.Role.ASSISTANT);

    /**
     * Validates {@code body}.
     *
     * @param modelName the one model name served
     * @param maxN      the most choices one request may ask for
     * @param maxTokens the most tokens a choice may ask for, and the default
     * @param maxTopLogprobs the most alternatives per position a request may ask for
     * @throws OpenAiError naming the first bad field
     */
    static ChatCompletionRequest parse(JsonNode body, String modelName, int maxN, int maxTokens,
                                       int maxTopLogprobs) {
        if (!body.isObject()) {
            throw OpenAiError.unparsable("the request body must be a JSON object");
        }
        requireModel(body.get("model"), modelName);
        List<ChatTurn> turns = turns(body.get("messages"));
        int n = optionalInt(body, "n", 1, 1, maxN);
        OptionalLong seed = present(body, "seed") ? OptionalLong.of(integer(body, "seed")) : OptionalLong.empty();
        double temperature = temperature(body);
        double topP = topP(body);
        int limit = maxTokens(body, maxTokens);
        boolean logprobs = optionalBoolean(body, "logprobs");
        int topLogprobs = optionalInt(body, "top_logprobs", 0, 0, maxTopLogprobs);
        if (topLogprobs > 0 && !logprobs) {
            throw OpenAiError.invalid("top_logprobs", "top_logprobs requires logprobs to be true");
        }
        List<String> stop = stop(body.get("stop"));
        boolean stream = optionalBoolean(body, "stream");
        boolean includeUsage = false;
        if (present(body, "stream_options")) {
            JsonNode options = body.get("stream_options");
            if (!stream) {
                throw OpenAiError.invalid("stream_options", "stream_options is only allowed when stream is true");
            }
            if (!options.isObject()) {
                throw OpenAiError.invalid("stream_options", "stream_options must be an object");
            }
            includeUsage = optionalBoolean(options, "include_usage", "stream_options.include_usage");
        }
        continuation(body, turns);
        refuseUnsupported(body);
        return new ChatCompletionRequest(turns, n, seed, temperature, topP, limit, logprobs, topLogprobs, stop, stream,
                includeUsage);
    }

    /** {@code body}'s {@code temperature}, OpenAI's default 1 when absent; in [0, 2], as OpenAI's and Ollama's. */
    static double temperature(JsonNode body) {
        double temperature = optionalNumber(body, "temperature", 1);
        if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw OpenAiError.invalid("temperature", "temperature must be in [0, 2], was " + temperature);
        }
        return temperature;
    }

    /** {@code body}'s {@code top_p}, 1 when absent; in (0, 1]. */
    static double topP(JsonNode body) {
        double topP = optionalNumber(body, "top_p", 1);
        if (!(topP > 0 && topP <= 1)) {
            throw OpenAiError.invalid("top_p", "top_p must be in (0, 1], was " + topP);
        }
        return topP;
    }

    /**
     * The request must name the served model: a client that misspells it fails here as it would against OpenAI or
     * vLLM, not first in production.
     */
    private static void requireModel(JsonNode model, String modelName) {
        if (model == null || model.isNull()) {
            throw OpenAiError.invalid("model", "model is required: you must provide a model parameter (this "
                    + "server serves '" + modelName + "')");
        }
        if (!model.isTextual()) {
            throw OpenAiError.invalid("model", "model must be a string, was " + model);
        }
        if (!model.asText().equals(modelName)) {
            throw OpenAiError.modelNotFound(model.asText(), modelName);
        }
    }

    static List<ChatTurn> turns(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw OpenAiError.invalid("messages", "messages is required");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw OpenAiError.invalid("messages", "messages must be a non-empty array");
        }
        List<ChatTurn> turns = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            if (!message.isObject()) {
                throw OpenAiError.invalid(at, at + " must be an object");
            }
            JsonNode roleNode = message.get("role");
            String role = roleNode != null && roleNode.isTextual() ? roleNode.asText() : null;
            ChatTurn.Role turnRole = role == null ? null : ROLES.get(role);
            if (turnRole == null) {
                throw OpenAiError.invalid(at + ".role", at + ".role must be system, developer, user or assistant"
                        + (role == null ? "" : ", was '" + role + "' (the model has no tools or functions)"));
            }
            if (present(message, "tool_calls") || present(message, "function_call")) {
                throw OpenAiError.invalid(at + ".tool_calls", "tool calls are not supported: the model has no tools");
            }
            turns.add(new ChatTurn(turnRole, content(message.get("content"), at + ".content")));
        }
        return turns;
    }

    /** A string, or an array of {@code {"type": "text", "text": ...}} parts joined by new lines (as vLLM does). */
    private static String content(JsonNode content, String at) {
        if (content != null && content.isTextual()) {
            return content.asText();
        }
        if (content == null || !content.isArray()) {
            throw OpenAiError.invalid(at, at + " must be a string or an array of text parts");
        }
        List<String> texts = new ArrayList<>(content.size());
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            JsonNode type = part.get("type");
            JsonNode text = part.get("text");
            if (type == null || !"text".equals(type.asText()) || text == null || !text.isTextual()) {
                throw OpenAiError.invalid(at + "[" + i + "]", at + "[" + i + "] must be a text part: only text "
                        + "content is supported");
            }
            texts.add(text.asText());
        }
        return String.join("\n", texts);
    }

    private static int maxTokens(JsonNode body, int cap) {
        boolean legacy = present(body, "max_tokens");
        boolean current = present(body, "max_completion_tokens");
        int fromLegacy = optionalInt(body, "max_tokens", cap, 1, cap);
        int fromCurrent = optionalInt(body, "max_completion_tokens", cap, 1, cap);
        if (legacy && current && fromLegacy != fromCurrent) {
            throw OpenAiError.invalid("max_tokens", "max_tokens (" + fromLegacy + ") and max_completion_tokens ("
                    + fromCurrent + ") disagree; give one");
        }
        return current ? fromCurrent : fromLegacy;
    }

    static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> sequences = new ArrayList<>();
        if (stop.isTextual()) {
            sequences.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode sequence : stop) {
                if (!sequence.isTextual()) {
                    throw OpenAiError.invalid("stop", "stop must be a string or an array of strings");
                }
                sequences.add(sequence.asText());
            }
        } else {
            throw OpenAiError.invalid("stop", "stop must be a string or an array of strings");
        }
        if (sequences.size() > MAX_STOP_SEQUENCES) {
            throw OpenAiError.invalid("stop", "stop holds at most " + MAX_STOP_SEQUENCES + " sequences, was "
                    + sequences.size());
        }
        if (sequences.stream().anyMatch(String::isEmpty)) {
            throw OpenAiError.invalid("stop", "stop sequences must not be empty");
        }
        return List.copyOf(sequences);
    }

    /**
     * Checks vLLM's continuation fields against the conversation. The conversation is rendered the same way with or
     * without them (a final assistant message is always continued), so they carry nothing further.
     */
    private static void continuation(JsonNode body, List<ChatTurn> turns) {
        boolean continuing = optionalBoolean(body, "continue_final_message");
        boolean generationPrompt = !present(body, "add_generation_prompt")
                || optionalBoolean(body, "add_generation_prompt");
        if (continuing && generationPrompt) {
            throw OpenAiError.invalid("add_generation_prompt", "continue_final_message and add_generation_prompt "
                    + "cannot both be true: send \"add_generation_prompt\": false to continue the final message");
        }
        if (continuing && turns.get(turns.size() - 1).role() != ChatTurn.Role.ASSISTANT) {
            throw OpenAiError.invalid("continue_final_message", "continue_final_message needs the last message to "
                    + "be the assistant's, was the " + turns.get(turns.size() - 1).role().name()
                    .toLowerCase(Locale.ROOT) + "'s");
        }
        if (!continuing && !generationPrompt) {
            throw OpenAiError.invalid("add_generation_prompt", "add_generation_prompt false is only supported with "
                    + "continue_final_message true");
        }
    }

    /** What the server cannot do: refused with the field named, so that a client never silently gets less. */
    private static void refuseUnsupported(JsonNode body) {
        for (String field : List.of("tools", "functions")) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull() && !(value.isArray() && value.isEmpty())) {
                throw OpenAiError.invalid(field, field + " are not supported: the model has no tools");
            }
        }
        JsonNode toolChoice = body.get("tool_choice");
        if (toolChoice != null && !toolChoice.isNull() && !"none".equals(toolChoice.asText())) {
            throw OpenAiError.invalid("tool_choice", "tool_choice is not supported: the model has no tools");
        }
        JsonNode format = body.get("response_format");
        if (format != null && !format.isNull()
                && !(format.isObject() && format.path("type").asText().equals("text"))) {
            throw OpenAiError.invalid("response_format", "only the text response format is supported");
        }
        for (String field : List.of("frequency_penalty", "presence_penalty")) {
            if (optionalNumber(body, field, 0) != 0) {
                throw OpenAiError.invalid(field, field + " is not supported (only 0)");
            }
        }
        JsonNode logitBias = body.get("logit_bias");
        if (logitBias != null && !logitBias.isNull() && !(logitBias.isObject() && logitBias.isEmpty())) {
            throw OpenAiError.invalid("logit_bias", "logit_bias is not supported");
        }
    }

    static boolean present(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && !value.isNull();
    }

    static long integer(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw OpenAiError.invalid(field, field + " must be an integer, was " + value);
        }
        return value.asLong();
    }

    static int optionalInt(JsonNode body, String field, int absent, int min, int max) {
        if (!present(body, field)) {
            return absent;
        }
        long value = integer(body, field);
        if (value < min || value > max) {
            throw OpenAiError.invalid(field, field + " must be in [" + min + ", " + max + "], was " + value);
        }
        return (int) value;
    }

    static double optionalNumber(JsonNode body, String field, double absent) {
        if (!present(body, field)) {
            return absent;
        }
        JsonNode value = body.get(field);
        if (!value.isNumber()) {
            throw OpenAiError.invalid(field, field + " must be a number, was " + value);
        }
        return value.asDouble();
    }

    private static boolean optionalBoolean(JsonNode body, String field) {
        return optionalBoolean(body, field, field);
    }

    static boolean optionalBoolean(JsonNode body, String field, String param) {
        if (!present(body, field)) {
            return false;
        }
        JsonNode value = body.get(field);
        if (!value.isBoolean()) {
            throw OpenAiError.invalid(param, param + " must be true or false, was " + value);
        }
        return value.asBoolean();
    }
}
