package dev.reasoningsdk.impl.merge.internal;

import dev.reasoningsdk.api.merge.MergeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that appear complete or not at all: a temporary file in the target directory ({@link TempFiles}),
 * renamed.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code target} atomically. @return the target */
    public static Path write(Path target, byte[] bytes) {
        Path absolute = target.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(absolute.getParent());
            temp = TempFiles.create(absolute);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            TempFiles.moveIntoPlace(temp, absolute);
            return absolute;
        } catch (IOException e) {
            throw new MergeException(target + ": cannot write: " + e, e);
        } finally {
            if (temp != null) {
                // A no-op after the rename; after a failure, removes the partial file.
                TempFiles.delete(temp);
            }
        }
    }
}
