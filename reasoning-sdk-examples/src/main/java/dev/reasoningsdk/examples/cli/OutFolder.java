package dev.reasoningsdk.examples.cli;

import java.io.IOException;
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

    /**
     * {@code out}, unless it is the file the command reads as {@code inputOption} ({@code input}; null when that option
     * was not given). The commands read their input, work for minutes, then replace {@code --out} with their output:
     * an {@code --out} that names the input silently replaced the data with the result.
     *
     * @throws IllegalArgumentException naming both options if {@code out} and {@code input} are one file
     */
    static Path notInput(Path out, String inputOption, Path input) {
        if (input != null && sameFile(out, input)) {
            throw new IllegalArgumentException("--out " + out + " is the " + inputOption + " file: writing it would "
                    + "replace the input; give another --out");
        }
        return out;
    }

    /** Whether {@code a} and {@code b} are one file: the same inode when both exist (links), else the same path. */
    private static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // Unreadable metadata: the paths decide.
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
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
