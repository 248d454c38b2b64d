package dev.reasoningsdk.impl.merge.internal;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.TempFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks on the files a merge reads and writes, made before anything is opened or created: inputs are regular files
 * (a FIFO would block the first read forever), and no file the merge writes is one it reads, compared by real path
 * (symbolic links and {@code ..} resolved) so neither a link nor an output directory that holds an input can make the
 * output replace its own input.
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * Why {@code file} cannot be read as a model file, if it cannot: it does not exist, is a directory, or is not a
     * regular file. Symbolic links are followed; nothing is opened.
     */
    public static Optional<String> notARegularFile(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.of("does not exist");
        } catch (IOException e) {
            return Optional.of("cannot be read: " + e);
        }
        if (attributes.isRegularFile()) {
            return Optional.empty();
        }
        return Optional.of(attributes.isDirectory() ? "is a directory, not a file"
                : "is a FIFO, socket or device, not a regular file (reading it could block forever)");
    }

    /** @throws IllegalArgumentException naming {@code file} if it is not a regular file */
    public static void requireRegularFile(Path file) {
        notARegularFile(file).ifPresent(reason -> {
            throw new IllegalArgumentException(file + ": " + reason);
        });
    }

    /** {@link AtomicFiles#realPath}, with a failure to resolve as a {@link MergeException}. */
    static Path realPath(Path path) {
        try {
            return AtomicFiles.realPath(path);
        } catch (IOException e) {
            throw new MergeException(path + ": cannot resolve: " + e, e);
        }
    }

    /**
     * Checks the merge can write {@code outputs} without touching an input: none is (by real path) a file of
     * {@code inputFiles}, none is an existing directory, and the nearest existing ancestor of each is a directory.
     *
     * @param inputFiles every file each input reads (index and shards of a sharded input), by input
     * @param outputs    every file the merge will write
     * @throws IllegalArgumentException naming the output file and the input it would overwrite
     */
    public static void requireSeparate(Map<Path, List<Path>> inputFiles, List<Path> outputs) {
        Map<Path, String> read = new HashMap<>();
        inputFiles.forEach((input, files) -> files.forEach(file -> read.put(realPath(file),
                file.equals(input) ? "" : " (read as part of input " + input + ")")));
        for (Path output : outputs) {
            Path real = realPath(output);
            String of = read.get(real);
            if (of != null) {
                throw new IllegalArgumentException(output + ": the merge would write this file, but it is an input"
                        + (real.equals(output.toAbsolutePath().normalize()) ? "" : " (as " + real + ")") + of
                        + "; write the output elsewhere");
            }
            if (Files.isDirectory(real)) {
                throw new IllegalArgumentException(output + ": the merge would write this file, but it is a"
                        + " directory");
            }
            Path ancestor = real.getParent();
            while (ancestor != null && !Files.exists(ancestor)) {
                ancestor = ancestor.getParent();
            }
            if (ancestor != null && !Files.isDirectory(ancestor)) {
                throw new IllegalArgumentException(ancestor + ": is a file, but the output " + output
                        + " needs it to be a directory");
            }
        }
    }

    /**
     * Creates {@code dir} and its missing parents.
     *
     * @return the directories created, deepest first, for {@link TempFiles#removeIfEmpty} after a failure
     * @throws MergeException if a directory cannot be created
     */
    public static List<Path> createDirectories(Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path at = dir.toAbsolutePath().normalize(); at != null && !Files.exists(at); at = at.getParent()) {
            missing.add(at);
        }
        try {
            Files.createDirectories(dir.toAbsolutePath());
        } catch (IOException e) {
            throw new MergeException(dir + ": cannot create output directory: " + e, e);
        }
        return List.copyOf(missing);
    }
}
