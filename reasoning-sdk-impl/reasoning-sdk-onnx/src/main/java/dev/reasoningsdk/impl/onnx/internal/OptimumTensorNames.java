package dev.reasoningsdk.impl.onnx.internal;

/**
 * Not API: the tensor names of Hugging Face Optimum's causal-LM export layout, shared by the graphs this project
 * writes ({@link TinyReasonerGraph}) and the runners that feed them, so the two cannot drift apart.
 */
public final class OptimumTensorNames {

    /** The token ids, {@code [batch, seq]} INT64. */
    public static final String INPUT_IDS = "input_ids";
    /** The next-token logits, {@code [batch, seq, vocabulary]}. */
    public static final String LOGITS = "logits";
    /** The final layer's hidden state, {@code [batch, seq, width]}. */
    public static final String HIDDEN_STATES = "hidden_states";

    private OptimumTensorNames() {
    }

    /** The cache input of one layer: {@code past_key_values.<layer>.<kind>}, kind {@code key} or {@code value}. */
    public static String pastName(int layer, String kind) {
        return "past_key_values." + layer + "." + kind;
    }

    /** The cache output of one layer: {@code present.<layer>.<kind>}, kind {@code key} or {@code value}. */
    public static String presentName(int layer, String kind) {
        return "present." + layer + "." + kind;
    }
}
