package dev.reasoningsdk.impl;

import dev.reasoningsdk.api.ReasoningException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A data or config file that cannot be read as text: a directory or other non-regular file where a file was
 * expected, or bytes that are not UTF-8; also a database file that is corrupt or of another kind (the LM-call
 * cache's). The message starts with the file and says where (line and byte offset, when it has them) and what is
 * wrong. Not retryable: the file itself must change.
 */
public final class DataFileException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    /** Kept as text because {@code Path} is not serialisable. */
    private final String file;

    /**
     * @param file   the file that is wrong
     * @param reason what is wrong with it, and where
     * @throws NullPointerException if an argument is null
     */
    public DataFileException(Path file, String reason) {
        super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(reason, "reason"));
        this.file = file.toString();
    }

    /** The file that is wrong. */
    public Path file() {
        return Path.of(file);
    }
}
