package dev.reasoningsdk.impl.merge.internal;

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

    private LayerIndex() {
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
