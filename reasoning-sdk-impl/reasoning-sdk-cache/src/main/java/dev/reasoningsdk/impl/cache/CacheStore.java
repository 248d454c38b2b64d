package dev.reasoningsdk.impl.cache;

import dev.reasoningsdk.impl.DataFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;

/**
 * The SQLite file behind a {@link CachingChatModel}: one table of entries keyed by (namespace, key, occurrence),
 * a small pool of connections, WAL journal, a busy timeout, and an open that refuses a corrupt or foreign file.
 *
 * <p>Why these settings: WAL lets readers go on while one writer appends and keeps the file consistent when a
 * process dies mid-write (an uncommitted transaction is simply not in the WAL's committed part); the busy timeout
 * makes a writer wait for another process's lock instead of failing; {@code synchronous=NORMAL} in WAL mode never
 * corrupts the file and may lose only the last commits on a power cut, which for a cache is a miss. Every write
 * is one {@code INSERT OR IGNORE}, atomic by itself, so the first writer of an entry wins and a reader sees either
 * no entry or a complete one. The file is identified by SQLite's {@code application_id} and versioned by its
 * {@code user_version}. Thread-safe.
 */
final class CacheStore implements AutoCloseable {

    /** {@code PRAGMA application_id} of a cache file: "RSDK" in ASCII. */
    static final int APPLICATION_ID = 0x5253444B;
    /** {@code PRAGMA user_version}: the schema this class reads and writes. */
    static final int SCHEMA_VERSION = 1;
    private static final AtomicLong MEMORY_STORES = new AtomicLong();

    private final String url;
    private final Path file;
    private final String identity;
    private final SQLiteConfig config;
    private final int poolSize;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private final List<Connection> all = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private CacheStore(String url, Path file, String identity, SQLiteConfig config, int connections) {
        this.poolSize = connections;
        this.url = url;
        this.file = file;
        this.identity = identity;
        this.config = config;
        this.permits = new Semaphore(connections, true);
    }

    /**
     * Opens (creating if needed) the cache file at {@code file}.
     *
     * @throws DataFileException if the file is a directory, a FIFO or device, not a SQLite database, corrupt, another
     *                           application's database, or written by a newer schema
     * @throws UncheckedIOException if the file cannot be created or read
     */
    static CacheStore open(Path file, Duration busyTimeout, int connections) {
        if (Files.isDirectory(file)) {
            throw new DataFileException(file, "is a directory, not an LM-call cache file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // SQLite would open a FIFO and block on its first read; a device is no place for a database either.
            throw new DataFileException(file, "is not a regular file (a device, FIFO or socket), not an LM-call "
                    + "cache file");
        }
        Path absolute = file.toAbsolutePath().normalize();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot create the cache's directory", e);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        CacheStore store = new CacheStore("jdbc:sqlite:" + absolute, file, absolute.toString(), config,
                connections);
        store.initialise();
        return store;
    }

    /** A store in memory, for tests: it lives in its one connection until {@link #close()}. */
    static CacheStore inMemory() {
        String name = "memory-" + MEMORY_STORES.incrementAndGet();
        CacheStore store = new CacheStore("jdbc:sqlite::memory:", null, name, new SQLiteConfig(), 1);
        store.initialise();
        return store;
    }

    /** Names the database in messages: its path, or "in-memory cache". */
    String describe() {
        return file == null ? "in-memory cache" : file.toString();
    }

    /** The same string for every store on one database, so one JVM can share in-flight calls between them. */
    String identity() {
        return identity;
    }

    /** The stored reply of entry ({@code namespace}, {@code key}, {@code occurrence}), if there is one. */
    Optional<StoredReply> get(String namespace, String key, int occurrence) {
        return withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT reply FROM entries WHERE namespace = ? AND key = ? AND occurrence = ?")) {
                select.setString(1, namespace);
                select.setString(2, key);
                select.setInt(3, occurrence);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    String json = row.getString(1);
                    try {
                        return Optional.of(StoredReply.fromJson(json));
                    } catch (IOException | RuntimeException e) {
                        throw new DataFileException(Path.of(describe()), "entry " + key + "#"
                                + occurrence + " of namespace " + namespace + " is not a reply this version reads: "
                                + e.getMessage());
                    }
                }
            }
        });
    }

    /**
     * Stores an entry unless one exists already (another caller or process wrote it first).
     *
     * @return whether this call wrote it
     */
    boolean putIfAbsent(String namespace, String key, int occurrence, String request, StoredReply reply) {
        return withConnection(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT OR IGNORE INTO entries"
                    + " (namespace, key, occurrence, request, reply, model_name, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, namespace);
                insert.setString(2, key);
                insert.setInt(3, occurrence);
                insert.setString(4, request);
                insert.setString(5, reply.toJson());
                insert.setString(6, reply.modelName());
                insert.setString(7, Instant.now().toString());
                return insert.executeUpdate() == 1;
            }
        });
    }

    /** Entries in {@code namespace}. */
    long count(String namespace) {
        return withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT count(*) FROM entries WHERE namespace = ?")) {
                select.setString(1, namespace);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    /** Closes every connection; closing twice is harmless. Calls in flight finish first. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Holding every permit waits for the calls in flight; later callers see the closed flag.
        permits.acquireUninterruptibly(poolSize);
        try {
            synchronized (all) {
                for (Connection connection : all) {
                    try {
                        connection.close();
                    } catch (SQLException e) {
                        // Nothing is pending on a connection between calls; a failing close loses nothing.
                    }
                }
                all.clear();
                idle.clear();
            }
        } finally {
            permits.release(poolSize);
        }
    }

    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T withConnection(SqlWork<T> work) {
        if (closed.get()) {
            throw new IllegalStateException(describe() + ": the cache is closed");
        }
        permits.acquireUninterruptibly();
        Connection connection = null;
        try {
            if (closed.get()) {
                throw new IllegalStateException(describe() + ": the cache is closed");
            }
            connection = idle.poll();
            if (connection == null) {
                connection = connect();
            }
            T result = work.run(connection);
            idle.add(connection);
            connection = null;
            return result;
        } catch (SQLException e) {
            throw failure(e);
        } finally {
            if (connection != null && file != null) {
                // A connection that failed mid-call may hold a broken transaction: drop it rather than reuse it.
                // (The in-memory database lives in its one connection, which is kept.)
                discard(connection);
            } else if (connection != null) {
                idle.add(connection);
            }
            permits.release();
        }
    }

    private Connection connect() throws SQLException {
        Connection connection = openWaitingOutBusy();
        synchronized (all) {
            all.add(connection);
        }
        return connection;
    }

    /**
     * Opens a connection, which switches the file to WAL. On a new file that switch needs the file to itself, and
     * SQLite refuses it at once, without waiting out the busy timeout, while another process's connection is opening
     * or reading the file: two processes starting on one new cache failed so. A busy open is therefore tried again,
     * after pauses growing to 50 ms, until the busy timeout has passed, as a busy statement would have waited.
     */
    private Connection openWaitingOutBusy() throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.getBusyTimeout());
        long pauseMillis = 1;
        while (true) {
            try {
                return config.createConnection(url);
            } catch (SQLException e) {
                boolean busy = (e.getErrorCode() & 0xFF) == SQLiteErrorCode.SQLITE_BUSY.code;
                if (!busy || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
            pauseMillis = Math.min(pauseMillis * 2, 50);
        }
    }

    private void discard(Connection connection) {
        synchronized (all) {
            all.remove(connection);
        }
        try {
            connection.close();
        } catch (SQLException e) {
            // Already failed; the original error is what the caller needs.
        }
    }

    /** Creates the schema in a new file, or checks that an existing file is ours and of a version we read. */
    private void initialise() {
        try {
            withConnection(connection -> {
                // Any statement reads the header: a file that is not SQLite fails here, before we write anything.
                try (Statement statement = connection.createStatement()) {
                    // IMMEDIATE takes the write lock first, so two processes creating one file do not both create.
                    statement.execute("BEGIN IMMEDIATE");
                    try {
                        checkOrCreate(statement);
                        statement.execute("COMMIT");
                    } catch (SQLException | RuntimeException e) {
                        statement.execute("ROLLBACK");
                        throw e;
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void checkOrCreate(Statement statement) throws SQLException {
        int applicationId = intPragma(statement, "application_id");
        int version = intPragma(statement, "user_version");
        List<String> tables = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        if (applicationId == 0 && tables.isEmpty()) {
            statement.execute("CREATE TABLE entries ("
                    + " namespace TEXT NOT NULL,"
                    + " key TEXT NOT NULL,"            // SHA-256 of the canonical request, hex
                    + " occurrence INTEGER NOT NULL,"  // the n-th identical request of one CachingChatModel
                    + " request TEXT NOT NULL,"        // the canonical request JSON the key hashes
                    + " reply TEXT NOT NULL,"          // the stored reply as JSON
                    + " model_name TEXT,"
                    + " created_at TEXT NOT NULL,"
                    + " PRIMARY KEY (namespace, key, occurrence))");
            statement.execute("PRAGMA application_id = " + APPLICATION_ID);
            statement.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            return;
        }
        if (applicationId != APPLICATION_ID) {
            throw new DataFileException(file, "is a SQLite database but not a reasoning-sdk LM-call cache"
                    + " (application_id " + applicationId + ", tables " + tables + ")");
        }
        if (version != SCHEMA_VERSION) {
            throw new DataFileException(file, "is an LM-call cache of schema version " + version
                    + "; this version of reasoning-sdk-cache reads version " + SCHEMA_VERSION);
        }
        if (!tables.contains("entries")) {
            throw new DataFileException(file, "is an LM-call cache without its entries table (damaged)");
        }
        try (ResultSet check = statement.executeQuery("PRAGMA quick_check")) {
            String verdict = check.next() ? check.getString(1) : "no answer";
            if (!"ok".equals(verdict)) {
                throw new DataFileException(file, "is a damaged SQLite database: " + verdict);
            }
        }
    }

    private static int intPragma(Statement statement, String name) throws SQLException {
        try (ResultSet row = statement.executeQuery("PRAGMA " + name)) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    /** A database error as the caller should see it: a bad file is named as such, anything else as I/O. */
    private RuntimeException failure(SQLException e) {
        int code = e.getErrorCode() & 0xFF;
        if (file != null
                && (code == SQLiteErrorCode.SQLITE_NOTADB.code || code == SQLiteErrorCode.SQLITE_CORRUPT.code)) {
            return new DataFileException(file, "is not a SQLite database or is corrupt (" + e.getMessage() + ")");
        }
        return new UncheckedIOException(new IOException(describe() + ": " + e.getMessage(), e));
    }
}
