package dev.reasoningsdk.examples.cli;

import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.impl.cache.CacheStats;
import dev.reasoningsdk.impl.cache.CachingChatModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --cache FILE} for every command that calls a chat model ({@code bench prompt}, and with a remote
 * {@code --provider} the live benches and {@code judge}, through {@link RemoteModel}): the model is wrapped in a
 * {@link CachingChatModel} on that SQLite file, so a second run with the same options replays every reply without
 * a model call. A command wraps its model with {@link #wrap}, reports with {@link #report} and closes this mixin.
 */
final class CacheOption implements AutoCloseable {

    @Option(names = "--cache", paramLabel = "FILE",
            description = "Replay chat-model calls from this SQLite file and store new ones (an LM-call cache:"
                    + " a second identical run makes no model call).")
    Path file;

    private CachingChatModel cached;

    /** Whether {@code --cache} was given. */
    boolean enabled() {
        return file != null;
    }

    /**
     * Refuses {@code --cache} for a command whose model runs in process without a chat model in between (the live
     * benches and {@code judge} sample the embedded tiny reasoner directly, so there is no call to replay); an export
     * folder ({@code --model DIR}) is called as a served model is, so its calls are cached.
     *
     * @throws IllegalArgumentException if {@code --cache} was given and {@code endpoint} is neither remote nor a
     *                                  folder
     */
    void requireRemote(ModelEndpoint endpoint) {
        if (file != null && !endpoint.isServed()) {
            throw new IllegalArgumentException("--cache replays model calls: give it with --provider openai or "
                    + "ollama, or --model DIR (the embedded model is sampled in process, without calls to cache)");
        }
    }

    /**
     * {@code model} behind the cache when {@code --cache} was given, else {@code model} itself.
     *
     * @param inProcess whether the model runs in this process: then an empty reply is its real answer and is
     *                  stored too (see {@link CachingChatModel.Builder#storeEmptyReplies}), so the replay is exact
     */
    ChatModel wrap(ChatModel model, boolean inProcess) {
        if (file == null) {
            return model;
        }
        if (cached != null) {
            throw new IllegalStateException("--cache wraps one model per command");
        }
        cached = CachingChatModel.builder().delegate(model).path(file).storeEmptyReplies(inProcess).build();
        return cached;
    }

    /** Adds {@code "cache": {file, hits, misses, writes}} (misses are the model calls made) when a model was cached. */
    void report(BenchReport report) {
        if (cached != null) {
            CacheStats stats = cached.stats();
            report.put("cache", new BenchReport().put("file", file.toString()).put("hits", stats.hits())
                    .put("misses", stats.misses()).put("writes", stats.writes()));
        }
    }

    @Override
    public void close() {
        if (cached != null) {
            cached.close();
        }
    }
}
