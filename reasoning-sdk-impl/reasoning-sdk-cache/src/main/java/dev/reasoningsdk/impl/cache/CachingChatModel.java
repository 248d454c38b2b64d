package dev.reasoningsdk.impl.cache;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.impl.DataFileException;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.llm.ForwardingChatModel;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An LM-call cache: a {@link ChatModel} decorator that answers a request it has seen from a SQLite file and passes
 * any other to its delegate, storing the reply. Prompt searches and benches run twice give the same replies without
 * a second model call (DSPy's cache, for LangChain4j).
 *
 * <pre>{@code
 * try (CachingChatModel cached = CachingChatModel.of(model, Path.of("llm-cache.db"))) {
 *     String reply = cached.chat("What is 2 + 3?");        // a model call the first time, a hit afterwards
 *     CacheStats stats = cached.stats();                  // hits, misses (= model calls), writes
 * }
 * }</pre>
 *
 * <p><b>Key.</b> The SHA-256 of a canonical JSON of the model (the delegate's class and its default model name), the
 * messages (type, text and every content part) and every effective request parameter: the delegate's
 * {@code defaultRequestParameters()} overridden by the request's, written field by field so that a provider's
 * parameter subclass counts too (OpenAI's {@code seed}, {@code logprobs} and {@code topLogprobs}, Ollama's
 * {@code seed}) without this class importing the provider. A model's settings that are not request parameters (a
 * local model's seed, a prompt template) are invisible to the key: give such models different
 * {@link Builder#namespace(String) namespaces}.
 *
 * <p><b>Repeated identical requests (occurrence indexing).</b> A sampler drawing k samples at a temperature above 0
 * without a seed sends k identical requests that must not collapse into one reply. So the n-th identical request
 * that one {@code CachingChatModel} instance sees (n = 0, 1, ...) reads and writes entry (key, n): the first run of
 * a program stores k different replies, and a new instance replaying the run reads them back in the same order.
 * A request whose call failed or stored nothing gives its index back to the next identical request, so a run whose
 * first attempt failed and whose retry succeeded replays with no call. Counting starts afresh with every instance,
 * so build one per run that should replay. Identical requests sent concurrently take indices in the order they
 * arrive, so a replay returns the same set of replies, each to one of them.
 *
 * <p><b>Concurrency.</b> Thread-safe. A miss calls the delegate once per entry needed, not once per caller:
 * instances in one JVM on one file share calls in flight, so two callers wanting the same entry make one call and
 * the second reads its stored reply. Processes on one file (on a local disk) are safe too; if two miss the same
 * entry at the same moment, both call their models, the first write wins and both return the stored reply.
 *
 * <p><b>What is stored.</b> The reply's text, thinking and tool calls, finish reason, token usage, model name, id and
 * token log-probabilities (from {@link ReasoningChatResponseMetadata}). A call that throws is never stored (the
 * exception reaches the caller), nor, unless {@link Builder#storeEmptyReplies(boolean)}, is a reply with neither
 * text nor a tool call: a replay asks for those again. A hit returns a
 * {@link ChatResponse} whose metadata is a {@link ReasoningChatResponseMetadata} with {@code cacheHit() == true};
 * a miss returns the delegate's own response. A write that fails (disk full) is logged and the reply still
 * returned.
 *
 * <p><b>File.</b> SQLite with a WAL journal, {@code synchronous=NORMAL}, a busy timeout
 * ({@value #DEFAULT_BUSY_TIMEOUT_SECONDS} s by default) and a small pool of connections
 * ({@value #DEFAULT_CONNECTIONS} by default); one table {@code entries} readable with any sqlite tool, marked with
 * its own {@code application_id} and schema version. Opening a corrupt file, another application's database or a
 * newer schema throws {@link DataFileException} naming the file; to find damage at open rather than at some later
 * read, opening reads the whole file once (SQLite's {@code quick_check}). Processes sharing a file must see one
 * local file system: SQLite's WAL needs shared memory, which network file systems do not give.
 */
public final class CachingChatModel extends ForwardingChatModel implements AutoCloseable {

    /** The namespace unless one is set. */
    public static final String DEFAULT_NAMESPACE = "default";
    /** How long a write waits for another process's lock, in seconds, unless set. */
    public static final int DEFAULT_BUSY_TIMEOUT_SECONDS = 30;
    /** Database connections per instance unless set. */
    public static final int DEFAULT_CONNECTIONS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(CachingChatModel.class);
    // Calls in flight in this JVM, by database and entry: shared by every instance on one file.
    private static final Map<String, CompletableFuture<Outcome>> IN_FLIGHT = new ConcurrentHashMap<>();

    private final CacheStore store;
    private final String namespace;
    private final boolean storeEmptyReplies;
    private final Map<String, Occurrences> occurrences = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    private CachingChatModel(ChatModel delegate, CacheStore store, String namespace, boolean storeEmptyReplies) {
        super(delegate);
        this.store = store;
        this.namespace = namespace;
        this.storeEmptyReplies = storeEmptyReplies;
    }

    /** A builder; {@link Builder#delegate} and one of {@link Builder#path} or {@link Builder#inMemory} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Caches {@code delegate}'s replies in the file {@code path} (created with its directories when missing), in
     * the default namespace, with every other default.
     *
     * @throws DataFileException if the file is a directory, corrupt, another application's or a newer schema
     * @throws UncheckedIOException if the file cannot be created or read
     */
    public static CachingChatModel of(ChatModel delegate, Path path) {
        return builder().delegate(delegate).path(path).build();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ChatRequestParameters defaults = delegate().defaultRequestParameters();
        ChatRequestParameters effective = defaults == null ? request.parameters()
                : defaults.overrideWith(request.parameters());
        RequestKey key = RequestKey.of(delegate().getClass().getName(), defaults == null ? null : defaults.modelName(),
                request.messages(), effective);
        Occurrences counter = occurrences.computeIfAbsent(key.hash(), hash -> new Occurrences());
        int occurrence = counter.claim();
        Outcome outcome = null;
        try {
            outcome = lookUpOrCall(request, key, occurrence);
            return outcome.response();
        } finally {
            if (outcome == null || !outcome.stored()) {
                // Nothing is stored under this index (the call failed or its reply is not cacheable): the next
                // identical request takes it, so a replay of a run whose first attempt failed makes no call.
                counter.release(occurrence);
            }
        }
    }

    private Outcome lookUpOrCall(ChatRequest request, RequestKey key, int occurrence) {
        String entry = store.identity() + '\n' + namespace + '\n' + key.hash() + '#' + occurrence;
        while (true) {
            Optional<StoredReply> stored = store.get(namespace, key.hash(), occurrence);
            if (stored.isPresent()) {
                hits.incrementAndGet();
                return new Outcome(stored.get().response(true), true);
            }
            CompletableFuture<Outcome> mine = new CompletableFuture<>();
            CompletableFuture<Outcome> running = IN_FLIGHT.putIfAbsent(entry, mine);
            if (running == null) {
                return callAndStore(request, key, occurrence, entry, mine);
            }
            try {
                running.join();
            } catch (CompletionException | CancellationException e) {
                // The other caller's call failed; failures are not stored, so this caller tries for itself.
            }
            // Read the entry the other caller stored; if it stored none (failure, empty reply), call ourselves.
        }
    }

    private Outcome callAndStore(ChatRequest request, RequestKey key, int occurrence, String entry,
                                 CompletableFuture<Outcome> mine) {
        try {
            // Another instance may have stored the entry between our read and our claim.
            Optional<StoredReply> stored = store.get(namespace, key.hash(), occurrence);
            Outcome outcome;
            if (stored.isPresent()) {
                hits.incrementAndGet();
                outcome = new Outcome(stored.get().response(true), true);
            } else {
                misses.incrementAndGet();
                outcome = store(delegate().chat(request), key, occurrence);
            }
            mine.complete(outcome);
            return outcome;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            IN_FLIGHT.remove(entry, mine);
        }
    }

    /** Stores a reply worth storing; the caller gets the stored reply if another process stored one first. */
    private Outcome store(ChatResponse response, RequestKey key, int occurrence) {
        Optional<StoredReply> reply = StoredReply.of(response, storeEmptyReplies);
        if (reply.isEmpty()) {
            return new Outcome(response, false);
        }
        try {
            if (store.putIfAbsent(namespace, key.hash(), occurrence, key.json(), reply.get())) {
                writes.incrementAndGet();
                return new Outcome(response, true);
            }
            // Another process stored this entry while we called: every reader of the entry sees one reply.
            Optional<StoredReply> winner = store.get(namespace, key.hash(), occurrence);
            return winner.map(w -> new Outcome(w.response(false), true)).orElse(new Outcome(response, false));
        } catch (UncheckedIOException e) {
            LOG.warn("{}: could not store a reply ({}); returning it uncached", store.describe(), e.getMessage());
            return new Outcome(response, false);
        }
    }

    /** Hits, misses and writes of this instance so far. */
    public CacheStats stats() {
        return new CacheStats(hits.get(), misses.get(), writes.get());
    }

    /** Entries stored in this instance's namespace, by every writer of the file. */
    public long size() {
        return store.count(namespace);
    }

    /** The namespace this instance reads and writes. */
    public String namespace() {
        return namespace;
    }

    /** Closes the database connections (not the delegate); closing twice is harmless. */
    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "CachingChatModel{" + store.describe() + ", namespace=" + namespace + ", " + stats() + "}";
    }

    /** A reply and whether an entry now holds it. */
    private record Outcome(ChatResponse response, boolean stored) {
    }

    /**
     * The occurrence indices of one key in this instance: the lowest index not taken, so that an index whose call
     * stored nothing is given to the next identical request.
     */
    private static final class Occurrences {
        private int next;
        private final TreeSet<Integer> released = new TreeSet<>();

        synchronized int claim() {
            return released.isEmpty() ? next++ : released.pollFirst();
        }

        synchronized void release(int occurrence) {
            released.add(occurrence);
        }
    }

    /**
     * Builds a {@link CachingChatModel}. Not thread-safe.
     *
     * <p>Defaults: namespace {@value #DEFAULT_NAMESPACE}, busy timeout {@value #DEFAULT_BUSY_TIMEOUT_SECONDS} s,
     * {@value #DEFAULT_CONNECTIONS} connections, empty replies not stored.
     */
    public static final class Builder {
        private ChatModel delegate;
        private Path path;
        private boolean inMemory;
        private String namespace = DEFAULT_NAMESPACE;
        private Duration busyTimeout = Duration.ofSeconds(DEFAULT_BUSY_TIMEOUT_SECONDS);
        private int connections = DEFAULT_CONNECTIONS;
        private boolean storeEmptyReplies;

        private Builder() {
        }

        /** The model asked on a miss (required). */
        public Builder delegate(ChatModel delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            return this;
        }

        /** The SQLite file; created with its directories when missing. */
        public Builder path(Path path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /** Keeps entries in memory only, for as long as the model is open (for tests). */
        public Builder inMemory() {
            this.inMemory = true;
            return this;
        }

        /**
         * Separates entries of models whose differences the key cannot see (a local model's seed, a prompt template
         * applied inside the model), or of experiments that must not share replies.
         *
         * @throws IllegalArgumentException if {@code namespace} is blank
         */
        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            if (namespace.isBlank()) {
                throw new IllegalArgumentException("namespace must not be blank, was \"" + namespace + "\"");
            }
            this.namespace = namespace;
            return this;
        }

        /**
         * How long opening the file, a read or a write waits for a lock another connection or process holds before it
         * fails.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder busyTimeout(Duration busyTimeout) {
            this.busyTimeout = Arguments.positive(busyTimeout, "busyTimeout");
            return this;
        }

        /**
         * Database connections this instance opens at most (they are opened as needed).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder connections(int connections) {
            this.connections = Arguments.atLeast(connections, 1, "connections");
            return this;
        }

        /**
         * Whether a reply with neither text nor a tool call is stored too (default false). From a served model such
         * a reply is most often a glitch (a cut stream, a proxy's empty 200), and a stored one would be replayed to
         * every later program that asks, so by default it is passed on and asked again next time. But a model can
         * answer with nothing on purpose (a local model that stops at once on an odd prompt), and then a replay is
         * exact only if that answer is recorded too: set true for an in-process model, or to record a run exactly,
         * glitches included (a caller that retries an empty reply then replays its retry as well).
         */
        public Builder storeEmptyReplies(boolean storeEmptyReplies) {
            this.storeEmptyReplies = storeEmptyReplies;
            return this;
        }

        /**
         * Opens the database.
         *
         * @throws IllegalStateException if the delegate is missing, or neither or both of a path and in-memory
         *                               were set
         * @throws DataFileException if the file is a directory, corrupt, another application's or a newer schema
         * @throws UncheckedIOException if the file cannot be created or read
         */
        public CachingChatModel build() {
            if (delegate == null) {
                throw new IllegalStateException("delegate is required");
            }
            if ((path == null) == !inMemory) {
                throw new IllegalStateException(inMemory ? "path and inMemory() exclude each other"
                        : "path or inMemory() is required");
            }
            CacheStore store = inMemory ? CacheStore.inMemory() : CacheStore.open(path, busyTimeout, connections);
            return new CachingChatModel(delegate, store, namespace, storeEmptyReplies);
        }
    }
}
