package dev.reasoningsdk.impl.merge;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the project's shared models: walks up from the working directory to one holding {@code shared/models}. */
public final class SharedModels {

    private SharedModels() {
    }

    /** The {@code models} directory of {@code shared}. @throws IllegalStateException if there is none */
    public static Path models() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("shared").resolve("models");
            if (Files.isDirectory(candidate.resolve("tiny-reasoner-tuned"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no shared/models/tiny-reasoner-tuned above " + System.getProperty("user.dir"));
    }

    public static Path tuned() {
        return models().resolve("tiny-reasoner-tuned");
    }
}
