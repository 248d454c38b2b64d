package dev.reasoningsdk.examples.cli;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the project's read-only data folder ({@code shared/}, beside the clone) from the working directory up. */
final class SharedData {

    private SharedData() {
    }

    /** The {@code shared/data} directory, or a clear error telling the caller to pass {@code --data}. */
    static Path locate() throws NoSuchFileException {
        return find("data").filter(Files::isDirectory).orElseThrow(() -> new NoSuchFileException("shared/data", null,
                "not found above the working directory (use --data)"));
    }

    /** {@code shared/<relative>} in the first ancestor of the working directory that has it, if any. */
    static Optional<Path> find(String relative) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null) {
            for (Path candidate : new Path[] {dir.resolve("shared").resolve(relative),
                    dir.resolve("../shared").normalize().resolve(relative)}) {
                if (Files.exists(candidate)) {
                    return Optional.of(candidate);
                }
            }
            dir = dir.getParent();
        }
        return Optional.empty();
    }
}
