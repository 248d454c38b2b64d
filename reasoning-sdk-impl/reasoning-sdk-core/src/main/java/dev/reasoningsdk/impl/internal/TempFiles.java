package dev.reasoningsdk.impl.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporary files outputs are written to before their rename ({@link AtomicFiles}, the merge's shard writer):
 * named {@code .TARGET.PID-RANDOM.tmp} beside their target and created exclusively (a file or link already there under
 * that name is never opened), tracked while in flight, deleted by a shutdown hook when the JVM is stopped (SIGINT,
 * SIGTERM, {@code System.exit}) while a writer holds a {@link #deleteOnShutdown cleanup}, and recognised by the next
 * writer into the same directory ({@link #removeStale}) when a harder kill (SIGKILL, a power cut) left them behind.
 *
 * <p>Why the process id in the name: a writer that finds such a file cannot otherwise tell a leftover from the file of
 * a writer running right now in another process. Thread-safe.
 */
public final class TempFiles {

    private static final Logger LOG = LoggerFactory.getLogger(TempFiles.class);

    /**
     * {@code .TARGET.PID-RANDOM.tmp}, and {@code .TARGET.RANDOM.tmp} as written before the process id was added (no
     * process can be asked about those, so they count as left behind).
     */
    private static final Pattern NAME = Pattern.compile("\\.(.+)\\.(?:(\\d{1,19})-)?([0-9a-f]{1,16})\\.tmp");

    private static final long PID = ProcessHandle.current().pid();
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();
    private static final Object LOCK = new Object();
    private static final Set<Cleanup> OPEN = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private static Thread hook;
    private static boolean shuttingDown;

    private TempFiles() {
    }

    /**
     * A new empty temporary file beside {@code target} (a dot file, so listings skip it), tracked until
     * {@link #moveIntoPlace} or {@link #delete}. Unlike {@code Files.createTempFile}, which makes the file private
     * (0600), it gets the default permissions, so the renamed output is as readable as any file the user writes.
     *
     * @throws IOException if the file cannot be created, or the JVM is shutting down
     */
    public static Path create(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        for (int attempt = 0; ; attempt++) {
            String random = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path temp = dir.resolve("." + target.getFileName() + "." + PID + "-" + random + ".tmp");
            // Tracked before it exists: another thread's removeStale must never take it for a leftover.
            IN_FLIGHT.add(temp);
            try {
                Files.createFile(temp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                IN_FLIGHT.remove(temp);
                if (attempt > 10) {
                    throw e;
                }
                continue;
            } catch (IOException | RuntimeException e) {
                IN_FLIGHT.remove(temp);
                throw e;
            }
            synchronized (LOCK) {
                if (!shuttingDown) {
                    return temp;
                }
            }
            // The shutdown hook has already swept: this file would outlive the JVM.
            delete(temp);
            throw new IOException(temp + ": not created, the JVM is shutting down");
        }
    }

    /**
     * Renames a temporary file onto its target, atomically where the file system can, stops tracking it, and forces
     * the directory to disk so the rename itself survives a power cut (where the platform can open a directory).
     * A target that is a symbolic link is replaced, not followed.
     */
    public static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        IN_FLIGHT.remove(temp);
        forceDirectory(target.toAbsolutePath().getParent());
    }

    private static void forceDirectory(Path dir) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir,
                java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notOnThisPlatform) {
            // Windows cannot open a directory; the rename is then as durable as the file system makes it.
        }
    }

    /** Deletes a temporary file if it is there and stops tracking it; a failure is logged, not thrown. */
    public static void delete(Path temp) {
        try {
            Files.deleteIfExists(temp);
            IN_FLIGHT.remove(temp);
        } catch (IOException e) {
            LOG.warn("{}: could not delete this temporary file: {}", temp, e.toString());
        }
    }

    /**
     * Deletes the temporary files in flight, then {@code createdDirectories} if empty, if the JVM stops before
     * {@link Cleanup#close()}: a shutdown hook is registered while at least one cleanup is open and removed when the
     * last one closes.
     *
     * @param createdDirectories directories the caller created for its output, deepest first
     */
    public static Cleanup deleteOnShutdown(List<Path> createdDirectories) {
        Cleanup cleanup = new Cleanup(createdDirectories);
        synchronized (LOCK) {
            if (OPEN.isEmpty() && !shuttingDown) {
                Thread cleanupHook = new Thread(TempFiles::deleteAllInFlight, "temp-file-cleanup");
                try {
                    Runtime.getRuntime().addShutdownHook(cleanupHook);
                    hook = cleanupHook;
                } catch (IllegalStateException shutdownStarted) {
                    // Another hook is writing during shutdown: its temporary file is deleted by its own finally.
                }
            }
            OPEN.add(cleanup);
        }
        return cleanup;
    }

    /** Keeps the shutdown hook registered until closed; closing twice is harmless. */
    public static final class Cleanup implements AutoCloseable {
        private final List<Path> createdDirectories;

        private Cleanup(List<Path> createdDirectories) {
            this.createdDirectories = List.copyOf(createdDirectories);
        }

        @Override
        public void close() {
            synchronized (LOCK) {
                if (!OPEN.remove(this) || !OPEN.isEmpty() || shuttingDown || hook == null) {
                    return;
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shutdownStarted) {
                    // The hook runs anyway; nothing to remove.
                }
                hook = null;
            }
        }
    }

    private static void deleteAllInFlight() {
        List<Path> doomed;
        List<Cleanup> open;
        synchronized (LOCK) {
            shuttingDown = true;
            doomed = List.copyOf(IN_FLIGHT);
            open = List.copyOf(OPEN);
        }
        // Writers may still be writing: on Linux the deleted file's blocks go when its last descriptor closes.
        doomed.forEach(TempFiles::delete);
        open.forEach(cleanup -> removeIfEmpty(cleanup.createdDirectories));
    }

    /** Deletes the directories, in order, while they are empty; a refused or interrupted write leaves none behind. */
    public static void removeIfEmpty(List<Path> directories) {
        for (Path dir : directories) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException notEmptyOrNotDeletable) {
                // Something else is in it now, or it cannot go: leave it and the ones above it.
                return;
            }
        }
    }

    /**
     * Removes the temporary files in {@code dir} that a killed writer left behind for a target whose name
     * {@code targets} accepts, logging a warning naming each; one whose process is still running is left in place
     * and named in a warning too. Files of other names are not touched.
     *
     * @param writer what writes these targets, as the warnings name it (e.g. "merge")
     * @return the files removed
     */
    public static List<Path> removeStale(Path dir, Predicate<String> targets, String writer) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.toAbsolutePath(), ".*.tmp")) {
            for (Path entry : entries) {
                Matcher name = NAME.matcher(entry.getFileName().toString());
                if (!name.matches() || !targets.test(name.group(1)) || !Files.isRegularFile(entry)
                        || IN_FLIGHT.contains(entry.toAbsolutePath())) {
                    continue;
                }
                Optional<Long> owner = Optional.ofNullable(name.group(2)).map(Long::parseLong);
                if (owner.isPresent() && owner.get() != PID && ProcessHandle.of(owner.get())
                        .map(ProcessHandle::isAlive).orElse(false)) {
                    LOG.warn("{}: temporary file of a {} by running process {}, left in place", entry, writer,
                            owner.get());
                    continue;
                }
                long bytes = Files.size(entry);
                Files.deleteIfExists(entry);
                removed.add(entry);
                LOG.warn("{}: removed a temporary file of {} bytes that an interrupted {} left behind", entry,
                        bytes, writer);
            }
        } catch (IOException e) {
            LOG.warn("{}: could not look for temporary files left by an interrupted {}: {}", dir, writer,
                    e.toString());
        }
        return removed;
    }
}
