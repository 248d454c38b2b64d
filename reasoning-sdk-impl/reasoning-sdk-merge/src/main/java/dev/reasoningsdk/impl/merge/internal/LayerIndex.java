package dev.reasoningsdk.impl.merge.internal;

import dev.reasoningsdk.api.merge.RatioSchedule;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transformer layer a tensor belongs to, from its name: the integer after the first {@code layers.},
 * {@code layer.}, {@code blocks.}, {@code block.} or {@code h.} (Llama/Mistral and OPT; BERT, RoBERTa, ViT and
 * DistilBERT's {@code encoder.layer.N}; GPT-NeoX-style and T5's {@code block.N}; GPT-2, Falcon and BLOOM's
 * {@code h.N}; also ONNX's {@code m.blocks.N.}). Embeddings, the final norm and the output head belong to no layer
 * ({@code -1}), and so does every tensor of a naming this does not know: a per-layer parameter then gives it the
 * value for tensors outside the layers.
 */
public final class LayerIndex {

    private static final Pattern LAYER =
            Pattern.compile("(?:^|[./_])(?:layers|layer|blocks|block|h)[._](\\d+)(?:[./_]|$)");

    /**
     * The names of the tensors before the layers: the embeddings (Llama's {@code embed_tokens}, GPT-NeoX's
     * {@code embed_in}, BERT's and BLOOM's {@code embeddings}, GPT-2's {@code wte} and {@code wpe}, T5's
     * {@code shared}, the tiny reasoner's {@code emb}); GPT-NeoX's output head {@code embed_out} is not one.
     */
    private static final Pattern BEFORE_LAYERS = Pattern.compile(
            "(?:^|[./_])(?!embed_out)(?:emb|embed|embeddings|wte|wpe|shared)(?:[./_]|$)");

    private LayerIndex() {
    }

    /**
     * The layer a per-layer parameter is read at for a tensor: its {@link #of layer}, else {@code -1} for a tensor
     * before the layers (an embedding) and {@link RatioSchedule#AFTER_LAYERS} for any other (the final norm, the
     * output head), which mergekit reads a gradient at the end for.
     */
    public static int forSchedule(String tensorName) {
        int layer = of(tensorName);
        if (layer >= 0 || BEFORE_LAYERS.matcher(tensorName).find()) {
            return layer;
        }
        return RatioSchedule.AFTER_LAYERS;
    }

    /** The layer of a tensor, or {@code -1} when its name carries none. */
    public static int of(String tensorName) {
        Matcher matcher = LAYER.matcher(tensorName);
        if (!matcher.find()) {
            return -1;
        }
        try {
            return Integer.parseInt(matcher.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The number of layers: one more than the largest layer index among the names (0 if none has one). */
    public static int count(Collection<String> tensorNames) {
        int max = -1;
        for (String name : tensorNames) {
            max = Math.max(max, of(name));
        }
        return max + 1;
    }
}
