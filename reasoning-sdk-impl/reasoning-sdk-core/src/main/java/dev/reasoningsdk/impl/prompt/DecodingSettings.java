package dev.reasoningsdk.impl.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.Optional;

/**
 * Decoding settings for one generation; a null field leaves the provider's default. {@link #clamped} clamps values
 * into their ranges: temperature [0, 2], top-p [0.01, 1], top-k [1, 200], frequency and presence penalties [-2, 2].
 *
 * @param temperature      sampling temperature
 * @param topP             nucleus mass
 * @param topK             candidates kept per step
 * @param frequencyPenalty penalty on repeated tokens, by count
 * @param presencePenalty  penalty on tokens already present
 */
public record DecodingSettings(Double temperature, Double topP, Integer topK, Double frequencyPenalty,
                               Double presencePenalty) {

    /** Provider defaults everywhere. */
    public static final DecodingSettings PROVIDER_DEFAULTS = new DecodingSettings(null, null, null, null, null);

    /** Settings clamped into their ranges (NaN becomes null). */
    public static DecodingSettings clamped(Double temperature, Double topP, Integer topK, Double frequencyPenalty,
                                      Double presencePenalty) {
        return new DecodingSettings(clamp(temperature, 0, 2), clamp(topP, 0.01, 1),
                topK == null ? null : Math.max(1, Math.min(200, topK)), clamp(frequencyPenalty, -2, 2),
                clamp(presencePenalty, -2, 2));
    }

    /**
     * Reads settings from a model's JSON reply ({@code temperature}, {@code top_p}, {@code top_k},
     * {@code frequency_penalty}, {@code presence_penalty}; camelCase accepted), clamped; empty when the reply holds no
     * JSON object with at least one usable number. A reasoning model's think blocks are skipped: settings drafted
     * while thinking are not its advice, and a reply cut off while thinking has none.
     */
    public static Optional<DecodingSettings> parse(String reply) {
        Optional<ObjectNode> object = JsonReplies.firstObject(reply);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode json = object.get();
        Double topKValue = number(json, "top_k", "topK");
        DecodingSettings settings = clamped(number(json, "temperature", "temperature"), number(json, "top_p", "topP"),
                topKValue == null ? null : (int) Math.round(Math.min(topKValue, Integer.MAX_VALUE)),
                number(json, "frequency_penalty", "frequencyPenalty"),
                number(json, "presence_penalty", "presencePenalty"));
        return settings.equals(PROVIDER_DEFAULTS) ? Optional.empty() : Optional.of(settings);
    }

    /** These settings with only the temperature and top-p, which every LangChain4j provider takes. */
    public DecodingSettings portable() {
        return new DecodingSettings(temperature, topP, null, null, null);
    }

    /** Sets the non-null settings on {@code request}. */
    public ChatRequest.Builder applyTo(ChatRequest.Builder request) {
        if (temperature != null) {
            request.temperature(temperature);
        }
        if (topP != null) {
            request.topP(topP);
        }
        if (topK != null) {
            request.topK(topK);
        }
        if (frequencyPenalty != null) {
            request.frequencyPenalty(frequencyPenalty);
        }
        if (presencePenalty != null) {
            request.presencePenalty(presencePenalty);
        }
        return request;
    }

    private static Double number(ObjectNode json, String snake, String camel) {
        JsonNode node = json.has(snake) ? json.get(snake) : json.get(camel);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            try {
                return Double.parseDouble(node.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Double clamp(Double value, double min, double max) {
        if (value == null || value.isNaN()) {
            return null;
        }
        return Math.max(min, Math.min(max, value));
    }
}
