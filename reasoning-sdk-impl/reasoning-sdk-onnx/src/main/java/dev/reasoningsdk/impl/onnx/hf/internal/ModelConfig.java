package dev.reasoningsdk.impl.onnx.hf.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What the loader reads from {@code config.json}: the architecture the ONNX graph must match and the special token
 * ids. Other keys are ignored.
 *
 * @param modelType             {@code model_type}, e.g. {@code qwen3}, {@code llama}
 * @param vocabSize             {@code vocab_size}: logits per position
 * @param layers                {@code num_hidden_layers}: pairs of past key/value inputs
 * @param attentionHeads        {@code num_attention_heads}
 * @param kvHeads               {@code num_key_value_heads}, default the attention heads (multi-head attention)
 * @param headDim               {@code head_dim}, default {@code hidden_size / num_attention_heads}
 * @param maxPositions          {@code max_position_embeddings}: the context length
 * @param bosTokenId            {@code bos_token_id}, when set
 * @param eosTokenIds           {@code eos_token_id} (one id or a list), possibly empty
 * @param padTokenId            {@code pad_token_id}, when set
 */
public record ModelConfig(String modelType, int vocabSize, int layers, int attentionHeads, int kvHeads, int headDim,
                          int maxPositions, OptionalInt bosTokenId, List<Integer> eosTokenIds,
                          OptionalInt padTokenId) {

    /** The file name. */
    public static final String FILE = "config.json";

    /**
     * Reads the folder's {@code config.json}.
     *
     * @throws dev.reasoningsdk.api.ModelLoadException naming the file and the key when one is missing or wrong
     */
    public static ModelConfig read(ExportFolder folder) {
        JsonNode json = folder.json(FILE);
        Keys keys = new Keys(folder, FILE, json);
        String type = keys.requiredText("model_type");
        int vocab = keys.requiredPositive("vocab_size");
        int layers = keys.requiredPositive("num_hidden_layers");
        int heads = keys.requiredPositive("num_attention_heads");
        int kvHeads = keys.optionalPositive("num_key_value_heads").orElse(heads);
        if (heads % kvHeads != 0) {
            throw folder.refuse(FILE, "num_attention_heads " + heads + " is not a multiple of num_key_value_heads "
                    + kvHeads);
        }
        OptionalInt headDim = keys.optionalPositive("head_dim");
        int dim;
        if (headDim.isPresent()) {
            dim = headDim.getAsInt();
        } else {
            int hidden = keys.requiredPositive("hidden_size");
            if (hidden % heads != 0) {
                throw folder.refuse(FILE, "no head_dim, and hidden_size " + hidden
                        + " is not a multiple of num_attention_heads " + heads);
            }
            dim = hidden / heads;
        }
        int positions = keys.requiredPositive("max_position_embeddings");
        return new ModelConfig(type, vocab, layers, heads, kvHeads, dim, positions, keys.optionalId("bos_token_id"),
                keys.ids("eos_token_id"), keys.optionalId("pad_token_id"));
    }

    /** Reads typed keys of one JSON object, refusing wrong types with the file and key named. */
    static final class Keys {
        private final ExportFolder folder;
        private final String file;
        private final JsonNode json;

        Keys(ExportFolder folder, String file, JsonNode json) {
            this.folder = folder;
            this.file = file;
            this.json = json;
        }

        String requiredText(String key) {
            JsonNode node = json.get(key);
            if (node == null || !node.isTextual() || node.asText().isBlank()) {
                throw folder.refuse(file, key + " must be a non-blank string, was " + node);
            }
            return node.asText();
        }

        Optional<String> optionalText(String key) {
            JsonNode node = json.get(key);
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isTextual()) {
                throw folder.refuse(file, key + " must be a string, was " + node);
            }
            return Optional.of(node.asText());
        }

        int requiredPositive(String key) {
            return optionalPositive(key).orElseThrow(() -> folder.refuse(file, key + " is missing"));
        }

        OptionalInt optionalPositive(String key) {
            OptionalInt value = optionalInt(key);
            if (value.isPresent() && value.getAsInt() < 1) {
                throw folder.refuse(file, key + " must be >= 1, was " + value.getAsInt());
            }
            return value;
        }

        OptionalInt optionalId(String key) {
            OptionalInt value = optionalInt(key);
            if (value.isPresent() && value.getAsInt() < 0) {
                throw folder.refuse(file, key + " must be >= 0, was " + value.getAsInt());
            }
            return value;
        }

        private OptionalInt optionalInt(String key) {
            JsonNode node = json.get(key);
            if (node == null || node.isNull()) {
                return OptionalInt.empty();
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw folder.refuse(file, key + " must be an integer, was " + node);
            }
            return OptionalInt.of(node.asInt());
        }

        /** One id or a list of ids (Hugging Face allows both for {@code eos_token_id}); empty when absent. */
        List<Integer> ids(String key) {
            JsonNode node = json.get(key);
            List<Integer> ids = new ArrayList<>();
            if (node == null || node.isNull()) {
                return ids;
            }
            for (JsonNode item : node.isArray() ? node : List.of(node)) {
                if (!item.isIntegralNumber() || !item.canConvertToInt() || item.asInt() < 0) {
                    throw folder.refuse(file, key + " must be an id >= 0 or a list of them, was " + node);
                }
                ids.add(item.asInt());
            }
            return List.copyOf(ids);
        }

        OptionalDouble optionalNumber(String key, double min, double max) {
            JsonNode node = json.get(key);
            if (node == null || node.isNull()) {
                return OptionalDouble.empty();
            }
            if (!node.isNumber() || !(node.asDouble() >= min && node.asDouble() <= max)) {
                throw folder.refuse(file, key + " must be a number in [" + min + ", " + max + "], was " + node);
            }
            return OptionalDouble.of(node.asDouble());
        }

        Optional<Boolean> optionalBoolean(String key) {
            JsonNode node = json.get(key);
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isBoolean()) {
                throw folder.refuse(file, key + " must be true or false, was " + node);
            }
            return Optional.of(node.asBoolean());
        }

        JsonNode node(String key) {
            return json.get(key);
        }
    }
}
