package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.impl.internal.ProjectData;
import java.nio.file.Path;

/** The model files the ONNX tests open from disk, found by {@link ProjectData} (the project's copy first). */
public final class SharedModels {

    private SharedModels() {
    }

    /** {@code models/tiny-reasoner/tiny-reasoner.onnx}. */
    public static Path tinyReasoner() {
        return ProjectData.require("models/tiny-reasoner/tiny-reasoner.onnx");
    }
}
