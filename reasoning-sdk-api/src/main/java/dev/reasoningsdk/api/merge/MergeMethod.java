package dev.reasoningsdk.api.merge;

import java.util.Locale;

/** Merge methods, named as in mergekit configs. */
public enum MergeMethod {
    /** Weighted average of the models (model averaging); weights normalised by default. */
    LINEAR("linear"),
    /** Base plus the weighted sum of task vectors (model - base). */
    TASK_ARITHMETIC("task_arithmetic"),
    /** Spherical linear interpolation between exactly two models. */
    SLERP("slerp"),
    /** TIES: trim task vectors to a density, elect signs, average the agreeing entries. */
    TIES("ties"),
    /** DARE: drop task-vector entries at random (seeded) and rescale, then add linearly. */
    DARE_LINEAR("dare_linear"),
    /** DARE drop-and-rescale followed by TIES sign consensus. */
    DARE_TIES("dare_ties"),
    /** Model Stock: interpolate the average of fine-tuned models toward the base by their angle. */
    MODEL_STOCK("model_stock");

    private final String configName;

    MergeMethod(String configName) {
        this.configName = configName;
    }

    /** The name used in mergekit-style config files. */
    public String configName() {
        return configName;
    }

    /**
     * The method for a config name.
     *
     * @throws IllegalArgumentException naming the unknown method and the known ones
     */
    public static MergeMethod fromConfigName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (MergeMethod method : values()) {
            if (method.configName.equals(wanted)) {
                return method;
            }
        }
        throw new IllegalArgumentException("unknown merge_method '" + name + "'; known: "
                + java.util.Arrays.stream(values()).map(MergeMethod::configName).toList());
    }
}
