package dev.reasoningsdk.impl.merge.internal;

import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The transformer layer a tensor belongs to, from its name: the integer after {@code layers.}, {@code blocks.} or
 * {@code h.} (Llama/Mistral, GPT-NeoX-style and GPT-2 naming; also ONNX's {@code m.blocks.N.}). Embeddings, the
 * final norm and the output head belong to no layer ({@code -1}).
 */
public final class LayerIndex {

    private static final Pattern LAYER = Pattern.compile("(?:^|[./_])(?:layers|blocks|h)[._](\\d+)(?:[./_]|$)");

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
