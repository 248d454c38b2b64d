package dev.reasoningsdk.impl.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.DataFileException;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hits, misses, what is stored and what is not, occurrence indexing, and files that are not ours. */
class CachingChatModelTest {

    @TempDir
    Path dir;

    @Test
    void aSecondInstanceOnTheFileReplaysEverythingStoredWithoutACall() {
        List<TokenLogProb> logProbs = List.of(new TokenLogProb("4", -0.25,
                List.of(new TokenLogProb.Alternative("4", -0.25), new TokenLogProb.Alternative("5", -1.5))),
                TokenLogProb.of(".", Double.NEGATIVE_INFINITY));
        ChatResponse original = ChatResponse.builder()
                .aiMessage(AiMessage.builder().text("2 + 2 = 4.").thinking("add them")
                        .toolExecutionRequests(List.of(ToolExecutionRequest.builder().id("t1").name("calc")
                                .arguments("{\"a\":2}").build())).build())
                .metadata(ReasoningChatResponseMetadata.builder().id("resp-9").modelName("m-2")
                        .tokenUsage(new TokenUsage(11, 5, 16)).finishReason(FinishReason.TOOL_EXECUTION)
                        .tokenLogProbs(logProbs).build())
                .build();
        CountingModel model = CountingModel.answering(request -> original,
                ChatRequestParameters.builder().modelName("m-2").build());
        Path file = dir.resolve("sub/cache.db");
        try (CachingChatModel first = CachingChatModel.of(model, file)) {
            ChatResponse miss = first.chat(request("What is 2 + 2?"));
            assertThat(miss).isSameAs(original);
            assertThat(first.stats()).isEqualTo(new CacheStats(0, 1, 1));
        }
        try (CachingChatModel second = CachingChatModel.of(model, file)) {
            ChatResponse hit = second.chat(request("What is 2 + 2?"));
            assertThat(model.calls()).isEqualTo(1);
            assertThat(second.stats()).isEqualTo(new CacheStats(1, 0, 0));
            assertThat(hit.aiMessage()).isEqualTo(original.aiMessage());
            assertThat(ReasoningChatResponseMetadata.isCacheHit(hit)).isTrue();
            assertThat(ReasoningChatResponseMetadata.tokenLogProbs(hit)).contains(logProbs);
            assertThat(hit.metadata().id()).isEqualTo("resp-9");
            assertThat(hit.metadata().modelName()).isEqualTo("m-2");
            assertThat(hit.metadata().tokenUsage()).isEqualTo(new TokenUsage(11, 5, 16));
            assertThat(hit.metadata().finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
            assertThat(second.size()).isEqualTo(1);
        }
    }

    /** The n-th identical request reads entry n: k samples stay k samples, and a replay gives the same sequence. */
    @Test
    void identicalRequestsAreOccurrenceIndexedAndReplayInOrder() {
        CountingModel model = CountingModel.echo();
        Path file = dir.resolve("cache.db");
        List<String> firstRun = new ArrayList<>();
        try (CachingChatModel cached = CachingChatModel.of(model, file)) {
            for (int i = 0; i < 3; i++) {
                firstRun.add(cached.chat("sample me"));
            }
        }
        assertThat(firstRun).doesNotHaveDuplicates();
        assertThat(model.calls()).isEqualTo(3);
        try (CachingChatModel replay = CachingChatModel.of(model, file)) {
            List<String> secondRun = List.of(replay.chat("sample me"), replay.chat("sample me"),
                    replay.chat("sample me"));
            assertThat(secondRun).isEqualTo(firstRun);
            assertThat(model.calls()).isEqualTo(3);
            String fourth = replay.chat("sample me");
            assertThat(fourth).isNotIn(firstRun);
            assertThat(model.calls()).isEqualTo(4);
            assertThat(replay.stats()).isEqualTo(new CacheStats(3, 1, 1));
        }
    }

    @Test
    void failuresAndRepliesWithoutTextOrToolCallAreNeverStored() {
        AtomicInteger call = new AtomicInteger();
        CountingModel model = CountingModel.answering(request -> switch (call.getAndIncrement()) {
            case 0 -> throw new IllegalStateException("HTTP 503 from the provider");
            case 1 -> ChatResponse.builder().aiMessage(AiMessage.from("   ")).build();
            case 2 -> ChatResponse.builder().aiMessage(AiMessage.builder().build()).build();
            default -> ChatResponse.builder().aiMessage(AiMessage.from("fine")).build();
        }, ChatRequestParameters.builder().build());
        try (CachingChatModel cached = CachingChatModel.builder().delegate(model).inMemory().build()) {
            assertThatThrownBy(() -> cached.chat("q")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("503");
            assertThat(cached.size()).isZero();
            assertThat(cached.chat(request("q")).aiMessage().text()).isBlank();
            assertThat(cached.chat(request("q")).aiMessage().text()).isNull();
            assertThat(cached.size()).isZero();
            assertThat(cached.chat("q")).isEqualTo("fine");
            assertThat(cached.size()).isEqualTo(1);
            assertThat(cached.stats()).isEqualTo(new CacheStats(0, 4, 1));
        }
    }

    /** Opted in, an empty reply is recorded like any other, so a caller that does not retry replays exactly. */
    @Test
    void emptyRepliesAreStoredWhenAskedAndReplayInOrder() {
        AtomicInteger call = new AtomicInteger();
        CountingModel model = CountingModel.answering(request -> ChatResponse.builder()
                .aiMessage(AiMessage.from(call.getAndIncrement() == 0 ? "" : "second")).finishReason(FinishReason.STOP)
                .build(), ChatRequestParameters.builder().build());
        Path file = dir.resolve("cache.db");
        try (CachingChatModel cached = CachingChatModel.builder().delegate(model).path(file).storeEmptyReplies(true)
                .build()) {
            assertThat(List.of(cached.chat("q"), cached.chat("q"))).containsExactly("", "second");
            assertThat(cached.stats()).isEqualTo(new CacheStats(0, 2, 2));
        }
        try (CachingChatModel replay = CachingChatModel.builder().delegate(model).path(file).storeEmptyReplies(true)
                .build()) {
            assertThat(List.of(replay.chat("q"), replay.chat("q"))).containsExactly("", "second");
        }
        assertThat(model.calls()).isEqualTo(2);
    }

    /** A run whose first attempt failed and whose retry succeeded replays with no call: the retry took index 0. */
    @Test
    void aFailedAttemptGivesItsIndexToTheRetrySoTheReplayMakesNoCall() {
        AtomicInteger call = new AtomicInteger();
        CountingModel model = CountingModel.answering(request -> {
            if (call.getAndIncrement() == 0) {
                throw new IllegalStateException("HTTP 429");
            }
            return ChatResponse.builder().aiMessage(AiMessage.from("reply " + call.get())).build();
        }, ChatRequestParameters.builder().build());
        Path file = dir.resolve("cache.db");
        List<String> firstRun = new ArrayList<>();
        try (CachingChatModel cached = CachingChatModel.of(model, file)) {
            assertThatThrownBy(() -> cached.chat("q")).hasMessageContaining("429");
            firstRun.add(cached.chat("q"));
            firstRun.add(cached.chat("q"));
        }
        int calls = model.calls();
        try (CachingChatModel replay = CachingChatModel.of(model, file)) {
            assertThat(List.of(replay.chat("q"), replay.chat("q"))).isEqualTo(firstRun);
        }
        assertThat(model.calls()).isEqualTo(calls);
    }

    @Test
    void namespacesSeparateEntries() {
        CountingModel model = CountingModel.echo();
        Path file = dir.resolve("cache.db");
        try (CachingChatModel a = CachingChatModel.builder().delegate(model).path(file).namespace("seed-1").build();
             CachingChatModel b = CachingChatModel.builder().delegate(model).path(file).namespace("seed-2").build()) {
            assertThat(a.chat("q")).isNotEqualTo(b.chat("q"));
            assertThat(model.calls()).isEqualTo(2);
            assertThat(a.size()).isEqualTo(1);
            assertThat(b.namespace()).isEqualTo("seed-2");
        }
    }

    @Test
    void aFileThatIsNotACacheIsRefusedAtOpenNamingIt() throws Exception {
        CountingModel model = CountingModel.echo();
        Path garbage = dir.resolve("garbage.db");
        Files.write(garbage, "this is not a database, it is a text file with enough bytes to hold a header?"
                .repeat(80).getBytes());
        assertThatThrownBy(() -> CachingChatModel.of(model, garbage)).isInstanceOf(DataFileException.class)
                .hasMessageStartingWith(garbage.toString()).hasMessageContaining("not a SQLite database");

        Path foreign = dir.resolve("foreign.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + foreign);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
        }
        assertThatThrownBy(() -> CachingChatModel.of(model, foreign)).isInstanceOf(DataFileException.class)
                .hasMessageStartingWith(foreign.toString()).hasMessageContaining("not a reasoning-sdk LM-call cache")
                .hasMessageContaining("customers");

        Path newer = dir.resolve("newer.db");
        CachingChatModel.of(model, newer).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + newer);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA user_version = " + (CacheStore.SCHEMA_VERSION + 1));
        }
        assertThatThrownBy(() -> CachingChatModel.of(model, newer)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("schema version " + (CacheStore.SCHEMA_VERSION + 1));

        assertThatThrownBy(() -> CachingChatModel.of(model, dir)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("is a directory");
    }

    /**
     * SQLite opened a FIFO given as the cache file and failed with "disk I/O error", an UncheckedIOException that
     * said nothing of what the file was; it is refused as a data-file error before SQLite sees it.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoGivenAsTheCacheFileIsRefusedAsSuch() throws Exception {
        Path fifo = dir.resolve("cache.db");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        Assumptions.assumeTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        assertThatThrownBy(() -> CachingChatModel.of(CountingModel.echo(), fifo)).isInstanceOf(DataFileException.class)
                .hasMessageStartingWith(fifo.toString()).hasMessageContaining("not a regular file");
    }

    /** A file whose pages were overwritten after it was written: refused at open, not at some later read. */
    @Test
    void aDamagedCacheIsRefusedAtOpen() throws Exception {
        Path file = dir.resolve("damaged.db");
        try (CachingChatModel cached = CachingChatModel.of(CountingModel.echo(), file)) {
            for (int i = 0; i < 200; i++) {
                cached.chat("question " + i + " " + "padding ".repeat(50));
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes.length).isGreaterThan(3 * 4096);
        for (int i = 4096 + 8; i < bytes.length; i += 7) {
            bytes[i] = (byte) 0xA5;
        }
        Files.write(file, bytes);
        assertThatThrownBy(() -> CachingChatModel.of(CountingModel.echo(), file))
                .isInstanceOf(DataFileException.class).hasMessageStartingWith(file.toString());
    }

    @Test
    void theFileIsReadableWithPlainSqlAndSaysWhatItIs() throws Exception {
        Path file = dir.resolve("cache.db");
        try (CachingChatModel cached = CachingChatModel.of(CountingModel.echo(), file)) {
            cached.chat("What is 2 + 3?");
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT namespace, occurrence, request, reply, model_name"
                     + " FROM entries")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo(CachingChatModel.DEFAULT_NAMESPACE);
            assertThat(row.getInt(2)).isZero();
            assertThat(row.getString(3)).contains("What is 2 + 3?").contains("\"temperature\"");
            assertThat(row.getString(4)).contains("What is 2 + 3? / call 0");
            assertThat(row.getString(5)).isEqualTo("echo-1");
            assertThat(row.next()).isFalse();
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            try (ResultSet row = statement.executeQuery("PRAGMA journal_mode")) {
                assertThat(row.getString(1)).isEqualTo("wal");
            }
            try (ResultSet row = statement.executeQuery("PRAGMA application_id")) {
                assertThat(row.getInt(1)).isEqualTo(CacheStore.APPLICATION_ID);
            }
        }
    }

    @Test
    void buildersRefuseBadSettingsAtOnce() {
        CountingModel model = CountingModel.echo();
        assertThatThrownBy(() -> CachingChatModel.builder().inMemory().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("delegate");
        assertThatThrownBy(() -> CachingChatModel.builder().delegate(model).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("path or inMemory()");
        assertThatThrownBy(() -> CachingChatModel.builder().delegate(model).inMemory().path(dir.resolve("x")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exclude");
        assertThatThrownBy(() -> CachingChatModel.builder().namespace(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
        assertThatThrownBy(() -> CachingChatModel.builder().connections(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connections");
        assertThatThrownBy(() -> CachingChatModel.builder().busyTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("busyTimeout");
        assertThatThrownBy(() -> CachingChatModel.builder().delegate(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("delegate");
    }

    @Test
    void aClosedCacheRefusesCallsAndClosingTwiceIsHarmless() {
        CachingChatModel cached = CachingChatModel.builder().delegate(CountingModel.echo()).inMemory().build();
        cached.close();
        cached.close();
        assertThatThrownBy(() -> cached.chat("q")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    private static ChatRequest request(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).build();
    }
}
