package dev.reasoningsdk.examples.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Finds the project's shared data directory: {@code shared/data} or {@code ../shared/data} above the working dir. */
final class SharedData {

    private SharedData() {
    }

    static Path locate() throws NoSuchFileException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            for (Path candidate : new Path[] {dir.resolve("shared/data"), dir.resolveSibling("shared/data")}) {
                if (candidate != null && Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
            dir = dir.getParent();
        }
        throw new NoSuchFileException("shared/data", null, "not found above the working directory (use --data)");
    }
}
