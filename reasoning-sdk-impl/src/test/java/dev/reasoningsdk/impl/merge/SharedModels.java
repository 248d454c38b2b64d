package dev.reasoningsdk.impl.merge;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the project's shared models: walks up from the working directory to one holding {@code shared/models}. */
final class SharedModels {

    private SharedModels() {
    }

    /** The {@code models} directory of {@code shared}. @throws IllegalStateException if there is none */
    static Path models() {
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

    static Path tuned() {
        return models().resolve("tiny-reasoner-tuned");
    }
}
