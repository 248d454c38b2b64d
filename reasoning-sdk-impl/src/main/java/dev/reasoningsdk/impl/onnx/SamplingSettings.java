package dev.reasoningsdk.impl.onnx;

/** Range checks shared by the builders of the local chat model and sampler, so both reject the same values. */
final class SamplingSettings {

    private SamplingSettings() {
    }

    static double temperature(double temperature) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, was " + temperature);
        }
        return temperature;
    }

    static double topP(double topP) {
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        return topP;
    }

    static int topK(int topK) {
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, was " + topK);
        }
        return topK;
    }

    static int maxTokens(int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
        }
        return maxTokens;
    }
}
