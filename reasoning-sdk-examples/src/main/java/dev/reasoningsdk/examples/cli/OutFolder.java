package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.internal.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --out} of the commands that run for minutes before they write (training, sampling), checked before they
 * start: a folder that is a file, or a file that is a folder, was only found when the output was written, with exit 1;
 * and an output that is one of the command's inputs (or an existing file of an input model folder) replaced that input
 * with the output. An existing output file of another name is replaced atomically, as each command's help says.
 */
final class OutFolder {

    private OutFolder() {
    }

    /**
     * The file {@code name} in {@code folder}, which need not exist yet (it is created when the file is written).
     *
     * @param inputs the files and folders the command reads (null entries are skipped)
     * @throws IllegalArgumentException if {@code folder} exists and is not a directory, the file is a directory, or
     *                                  the file is one of {@code inputs} or an existing file inside one of them
     */
    static Path file(Path folder, String name, Path... inputs) {
        requireFoldersCanBeMade("--out", folder);
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--out " + folder + " is not a directory");
        }
        Path file = folder.resolve(name);
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--out " + folder + ": " + file + " is a directory, not a file to "
                    + "write");
        }
        return requireNotAnInput("--out " + folder + ": " + file, file, inputs);
    }

    /**
     * {@code --out FILE} of a command that writes one file ({@code verifier sample}, {@code judge train}), checked
     * before the command samples or trains for minutes.
     *
     * @param inputs the files and folders the command reads (null entries are skipped)
     * @throws IllegalArgumentException if {@code file} is a directory, lies under a file, or is one of {@code inputs}
     *                                  or an existing file inside one of them
     */
    static Path file(Path file, Path... inputs) {
        return file("--out", file, inputs);
    }

    /** {@link #file(Path, Path...)} for a command whose option naming the file is {@code option}. */
    static Path file(String option, Path file, Path... inputs) {
        requireFoldersCanBeMade(option, file);
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a directory, not a file to write");
        }
        return requireNotAnInput(option + " " + file, file, inputs);
    }

    /**
     * Refuses an output that is an input, or an existing file inside an input folder (a model's own file), compared by
     * real path (links and {@code ..} resolved): writing it would replace what the command reads. A new file in an
     * input folder (a head saved beside its model) is allowed.
     */
    private static Path requireNotAnInput(String what, Path file, Path... inputs) {
        try {
            Path real = AtomicFiles.realPath(file);
            for (Path input : inputs) {
                if (input == null) {
                    continue;
                }
                // Inputs need not exist yet: a --cache file is created when the command starts.
                Path readFrom = AtomicFiles.realPath(input);
                if (real.equals(readFrom)) {
                    throw new IllegalArgumentException(what + " is the input " + input + "; writing it would "
                            + "replace what the command reads: write the output elsewhere");
                }
                if (Files.isDirectory(readFrom) && real.startsWith(readFrom) && Files.exists(real)) {
                    throw new IllegalArgumentException(what + " is a file of the input folder " + input
                            + "; writing it would replace one of its files: write the output elsewhere");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot resolve: " + e.getMessage(), e);
        }
        return file;
    }

    /** The folders above {@code path} are made when it is written: the nearest one that exists must be a folder. */
    private static void requireFoldersCanBeMade(String option, Path path) {
        for (Path above = path.toAbsolutePath().getParent(); above != null; above = above.getParent()) {
            if (Files.exists(above)) {
                if (!Files.isDirectory(above)) {
                    throw new IllegalArgumentException(option + " " + path + ": " + above + " is a file, not a folder");
                }
                return;
            }
        }
    }
}
