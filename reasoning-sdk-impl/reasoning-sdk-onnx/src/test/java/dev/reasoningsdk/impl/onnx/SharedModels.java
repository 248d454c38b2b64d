package dev.reasoningsdk.impl.onnx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds the project's shared models ({@code ../shared} beside the clone) from wherever the tests run. */
public final class SharedModels {

    private SharedModels() {
    }

    /** The {@code shared} directory: walks up from {@code user.dir} to the first dir holding {@code shared/models}. */
    public static Path sharedDir() {
        for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[] {dir.resolve("shared"), dir.resolveSibling("shared")}) {
                if (Files.isDirectory(candidate.resolve("models"))) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("no shared/models directory above " + System.getProperty("user.dir"));
    }

    /** {@code shared/models/tiny-reasoner/tiny-reasoner.onnx}. */
    public static Path tinyReasoner() {
        return sharedDir().resolve("models/tiny-reasoner/tiny-reasoner.onnx");
    }
}
