package dev.reasoningsdk.impl.internal;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Objects;

/**
 * The one way the SDK writes a whole file to a path a user gave: the bytes go to a new temporary file in the target's
 * directory ({@link TempFiles}: a random name created exclusively, so a file or link someone planted under a guessable
 * name is never opened), are forced to disk, and the temporary file is renamed over the target. A reader, a crash, a
 * full disk or a {@code kill -9} therefore leaves either the old file or the complete new one, never half of either;
 * after a failure the temporary file is deleted, so is it when the JVM is stopped mid-write (SIGINT, SIGTERM), and one
 * that a {@code kill -9} left is removed by the next write of the same target ({@link TempFiles#removeStale}).
 *
 * <p>What replacing means: an existing target is replaced as a whole, keeping its POSIX permissions (a file the user
 * made private stays private). A target that is a symbolic link is replaced by the new file; the file the link
 * pointed at is not written, so a link planted at an output path cannot redirect the write. Missing parent folders
 * are created. Callers decide beforehand whether replacing is allowed. Thread-safe.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes a file's content to a stream; closing the stream is not needed (and does not close the file early). */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code bytes} to {@code target} atomically.
     *
     * @return the absolute target
     * @throws IOException if the folder, the temporary file or the rename fails; the target is then as it was
     */
    public static Path write(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        return write(target, out -> out.write(bytes));
    }

    /**
     * Writes what {@code content} produces to {@code target} atomically. If {@code content} throws, the target is
     * untouched and the temporary file deleted.
     *
     * @return the absolute target
     * @throws IOException if {@code content} throws it, or the folder, the temporary file or the rename fails
     */
    public static Path write(Path target, Content content) throws IOException {
        Objects.requireNonNull(content, "content");
        Path absolute = target.toAbsolutePath();
        if (absolute.getFileName() == null) {
            throw new IOException(target + ": not a file path");
        }
        Files.createDirectories(absolute.getParent());
        String name = absolute.getFileName().toString();
        TempFiles.removeStale(absolute.getParent(), name::equals, "write");
        try (TempFiles.Cleanup stopped = TempFiles.deleteOnShutdown(List.of())) {
            writeAndMove(content, TempFiles.create(absolute), absolute);
        }
        return absolute;
    }

    private static void writeAndMove(Content content, Path temp, Path absolute) throws IOException {
        try {
            // NOFOLLOW_LINKS: the file was created as a regular file a moment ago; never write through a link.
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        out.write(bytes, offset, length);
                    }

                    @Override
                    public void close() throws IOException {
                        // Writers such as Jackson close what they write to; the channel is still to be forced.
                        flush();
                    }
                });
                out.flush();
                channel.force(true);
            }
            keepPermissions(absolute, temp);
            TempFiles.moveIntoPlace(temp, absolute);
        } finally {
            // A no-op after the rename; after any failure (content threw, disk full), removes the partial file.
            TempFiles.delete(temp);
        }
    }

    /**
     * The real path {@code path} has or would have once created: its deepest existing ancestor with symbolic links
     * resolved, then the rest of it. Two paths that name one file this way are one file, however they are spelled;
     * writers compare outputs with inputs by it.
     *
     * @throws IOException if an existing ancestor cannot be resolved
     */
    public static Path realPath(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    }

    /** Gives {@code temp} the POSIX permissions of the regular file it is about to replace, if there is one. */
    private static void keepPermissions(Path target, Path temp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        PosixFileAttributes existing;
        try {
            existing = view.readAttributes();
        } catch (java.nio.file.NoSuchFileException gone) {
            return;
        }
        Files.setPosixFilePermissions(temp, existing.permissions());
    }
}
