package dev.reasoningsdk.impl.onnx.hf.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the loader reads from {@code tokenizer_config.json}: the chat template and the special tokens that the
 * template sees as variables and the tokenizer adds.
 *
 * @param chatTemplate     the Jinja chat template: {@code chat_template} (a string, or the entry named
 *                         {@code default} of a list of named templates), else the file {@code chat_template.jinja}
 *                         (where newer {@code transformers} versions save it); empty when neither exists
 * @param specialTokens    the template variables {@code bos_token}, {@code eos_token}, {@code unk_token},
 *                         {@code sep_token}, {@code pad_token}, {@code cls_token}, {@code mask_token} (each the
 *                         token's text) and {@code additional_special_tokens}, for those set
 * @param addBosToken      {@code add_bos_token}: prepend the BOS token when tokenizing a prompt that lacks it
 */
public record TokenizerConfig(Optional<String> chatTemplate, Map<String, Object> specialTokens,
                              boolean addBosToken) {

    /** The file name. */
    public static final String FILE = "tokenizer_config.json";
    /** Where newer {@code transformers} versions save the chat template instead. */
    public static final String TEMPLATE_FILE = "chat_template.jinja";

    private static final List<String> TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token");

    /**
     * Reads the folder's {@code tokenizer_config.json} (and {@code chat_template.jinja} when it has no template).
     *
     * @throws dev.reasoningsdk.api.ModelLoadException naming the file and the key when one is malformed
     */
    public static TokenizerConfig read(ExportFolder folder) {
        JsonNode json = folder.json(FILE);
        ModelConfig.Keys keys = new ModelConfig.Keys(folder, FILE, json);
        Map<String, Object> special = new LinkedHashMap<>();
        for (String key : TOKEN_KEYS) {
            token(folder, key, keys.node(key)).ifPresent(token -> special.put(key, token));
        }
        JsonNode additional = keys.node("additional_special_tokens");
        if (additional != null && !additional.isNull()) {
            if (!additional.isArray()) {
                throw folder.refuse(FILE, "additional_special_tokens must be a list, was " + additional);
            }
            List<String> tokens = new ArrayList<>();
            for (JsonNode item : additional) {
                tokens.add(token(folder, "additional_special_tokens", item).orElseThrow(() ->
                        folder.refuse(FILE, "additional_special_tokens holds " + item)));
            }
            special.put("additional_special_tokens", List.copyOf(tokens));
        }
        Optional<String> template = template(folder, keys.node("chat_template"));
        if (template.isEmpty() && folder.has(TEMPLATE_FILE)) {
            template = Optional.of(folder.text(TEMPLATE_FILE));
        }
        return new TokenizerConfig(template, Map.copyOf(special), keys.optionalBoolean("add_bos_token").orElse(false));
    }

    /** A token given as its text or as an AddedToken dict ({@code {"content": "<s>", ...}}). */
    private static Optional<String> token(ExportFolder folder, String key, JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return Optional.of(node.get("content").asText());
        }
        throw folder.refuse(FILE, key + " must be a token's text or {\"content\": ...}, was " + node);
    }

    private static Optional<String> template(ExportFolder folder, JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isArray()) {
            for (JsonNode entry : node) {
                if ("default".equals(entry.path("name").asText()) && entry.path("template").isTextual()) {
                    return Optional.of(entry.get("template").asText());
                }
            }
            throw folder.refuse(FILE, "chat_template is a list of named templates without one named 'default'");
        }
        throw folder.refuse(FILE, "chat_template must be a string or a list of named templates, was a "
                + node.getNodeType());
    }
}
