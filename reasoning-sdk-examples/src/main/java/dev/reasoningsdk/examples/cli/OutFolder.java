package dev.reasoningsdk.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --out DIR} of the train commands, checked before they train: training takes minutes, and a folder that
 * is a file was only found when the weights were written, with exit 1.
 */
final class OutFolder {

    private OutFolder() {
    }

    /**
     * The file {@code name} in {@code folder}, which need not exist yet (it is created when the file is written).
     *
     * @throws IllegalArgumentException if {@code folder} exists and is not a directory, or the file is a directory
     */
    static Path file(Path folder, String name) {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--out " + folder + " is not a directory");
        }
        Path file = folder.resolve(name);
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--out " + folder + ": " + file + " is a directory, not a file to "
                    + "write");
        }
        return file;
    }
}
