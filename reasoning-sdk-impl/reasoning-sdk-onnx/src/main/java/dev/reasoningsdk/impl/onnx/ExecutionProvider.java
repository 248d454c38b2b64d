package dev.reasoningsdk.impl.onnx;

import java.util.Locale;

/**
 * Where ONNX Runtime runs a model. {@link OnnxSessionFactory} turns the choice into session options.
 */
public enum ExecutionProvider {
    /** CUDA when an NVIDIA driver and ONNX Runtime's CUDA provider load, CPU otherwise. */
    AUTO,
    /** CPU only: never probes CUDA. */
    CPU,
    /** CUDA, or a {@code ModelLoadException} when it cannot be loaded. */
    CUDA;

    /** The system property that chooses the provider for every model built with defaults. */
    public static final String PROPERTY = "reasoning.onnx.provider";
    /** The environment variable read when {@link #PROPERTY} is not set. */
    public static final String ENVIRONMENT_VARIABLE = "REASONING_ONNX_PROVIDER";

    /**
     * The provider chosen for this process: the system property {@value #PROPERTY}, else the environment variable
     * {@value #ENVIRONMENT_VARIABLE}, else {@link #AUTO}. Values are {@code auto}, {@code cpu} or {@code cuda}, in
     * any case.
     *
     * @throws IllegalArgumentException naming the setting if its value is none of those
     */
    public static ExecutionProvider configured() {
        String property = System.getProperty(PROPERTY);
        if (property != null) {
            return parse(property, "system property " + PROPERTY);
        }
        String variable = System.getenv(ENVIRONMENT_VARIABLE);
        return variable == null ? AUTO : parse(variable, "environment variable " + ENVIRONMENT_VARIABLE);
    }

    /**
     * Parses {@code auto}, {@code cpu} or {@code cuda} (any case, surrounding blanks ignored).
     *
     * @param origin where the value came from, for the message
     * @throws IllegalArgumentException if the value is none of those
     */
    public static ExecutionProvider parse(String value, String origin) {
        String name = value.strip().toUpperCase(Locale.ROOT);
        for (ExecutionProvider provider : values()) {
            if (provider.name().equals(name)) {
                return provider;
            }
        }
        throw new IllegalArgumentException(origin + " must be auto, cpu or cuda, was '" + value + "'");
    }
}
