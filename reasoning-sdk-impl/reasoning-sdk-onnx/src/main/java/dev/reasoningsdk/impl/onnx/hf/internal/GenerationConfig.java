package dev.reasoningsdk.impl.onnx.hf.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What the loader reads from {@code generation_config.json}, when the folder has one: the tokens that stop
 * generation and the publisher's sampling defaults. An absent file is an empty config (Hugging Face then uses
 * {@code config.json}'s ids and greedy decoding).
 *
 * @param eosTokenIds {@code eos_token_id}: one id or a list (Qwen3 lists {@code <|im_end|>} and
 *                    {@code <|endoftext|>}), possibly empty
 * @param padTokenId  {@code pad_token_id}, when set
 * @param doSample    {@code do_sample}; false (greedy) when absent, as in Hugging Face
 * @param temperature {@code temperature}, when set
 * @param topP        {@code top_p}, when set
 * @param topK        {@code top_k}, when set
 */
public record GenerationConfig(List<Integer> eosTokenIds, OptionalInt padTokenId, boolean doSample,
                               OptionalDouble temperature, OptionalDouble topP, OptionalInt topK) {

    /** The file name. */
    public static final String FILE = "generation_config.json";

    /**
     * Reads the folder's {@code generation_config.json}, or an empty config when there is none.
     *
     * @throws dev.reasoningsdk.api.ModelLoadException naming the file and the key when the file is malformed
     */
    public static GenerationConfig read(ExportFolder folder) {
        return folder.optionalJson(FILE).map(json -> {
            ModelConfig.Keys keys = new ModelConfig.Keys(folder, FILE, json);
            OptionalInt topK = keys.optionalId("top_k");
            return new GenerationConfig(keys.ids("eos_token_id"), keys.optionalId("pad_token_id"),
                    keys.optionalBoolean("do_sample").orElse(false),
                    keys.optionalNumber("temperature", 0, 100), keys.optionalNumber("top_p", 0, 1), topK);
        }).orElseGet(() -> new GenerationConfig(List.of(), OptionalInt.empty(), false, OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalInt.empty()));
    }
}
