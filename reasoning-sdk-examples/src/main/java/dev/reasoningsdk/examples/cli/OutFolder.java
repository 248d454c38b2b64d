package dev.reasoningsdk.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --out} of the commands that run for minutes before they write (training, sampling), checked before they
 * start: a folder that is a file, or a file that is a folder, was only found when the output was written, with exit 1.
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
        requireFoldersCanBeMade(folder);
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

    /**
     * {@code --out FILE} of a command that writes one file ({@code verifier sample}, {@code judge train}), checked
     * before the command samples or trains for minutes.
     *
     * @throws IllegalArgumentException if {@code file} is a directory or lies under a file
     */
    static Path file(Path file) {
        requireFoldersCanBeMade(file);
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--out " + file + " is a directory, not a file to write");
        }
        return file;
    }

    /** The folders above {@code path} are made when it is written: the nearest one that exists must be a folder. */
    private static void requireFoldersCanBeMade(Path path) {
        for (Path above = path.toAbsolutePath().getParent(); above != null; above = above.getParent()) {
            if (Files.exists(above)) {
                if (!Files.isDirectory(above)) {
                    throw new IllegalArgumentException("--out " + path + ": " + above + " is a file, not a folder");
                }
                return;
            }
        }
    }
}
