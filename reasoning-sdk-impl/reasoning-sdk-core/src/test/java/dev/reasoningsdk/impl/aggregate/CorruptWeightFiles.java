package dev.reasoningsdk.impl.aggregate;

import java.util.List;

/** Ways a saved weights file (the verifier's, the process-reward head's) arrives corrupt, for the readers' tests. */
final class CorruptWeightFiles {

    private CorruptWeightFiles() {
    }

    /**
     * {@code whole}, a weights file as {@code save} writes it, cut in half, with a bare {@code NaN} bias, with a
     * training record that is not an object, and twice in a row.
     */
    static List<String> of(String whole) {
        return List.of(whole.substring(0, whole.length() / 2),
                whole.replaceFirst("\"bias\" : [-0-9.eE]+", "\"bias\" : NaN"),
                whole.replaceFirst("\"training\" : \\{", "\"training\" : 5, \"was\" : {"),
                whole + whole);
    }
}
