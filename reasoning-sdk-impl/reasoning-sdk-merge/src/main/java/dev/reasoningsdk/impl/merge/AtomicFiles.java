package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.merge.MergeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Whole-file writes that appear complete or not at all: a temporary file in the target directory, renamed. */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * A new empty temporary file beside {@code target} (a dot file, so listings skip it). Unlike
     * {@code Files.createTempFile}, which makes the file private (0600), it gets the default permissions, so the
     * renamed output is as readable as any file the user writes.
     */
    static Path newTempFile(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
            try {
                return Files.createFile(dir.resolve("." + target.getFileName() + "." + suffix + ".tmp"));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. @return the target */
    static Path write(Path target, byte[] bytes) {
        Path absolute = target.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(absolute.getParent());
            temp = newTempFile(absolute);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            return absolute;
        } catch (IOException e) {
            throw new MergeException(target + ": cannot write: " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Only reached for a leftover temporary file after a failure already reported.
                }
            }
        }
    }
}
