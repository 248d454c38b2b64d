package dev.reasoningsdk.impl.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One cache file written by two JVMs at once, and by a JVM killed mid-write. */
class CacheProcessesTest {

    private static final int COUNT = 150;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void twoProcessesWritingOneFileAgreeOnEveryEntry() throws Exception {
        Path file = dir.resolve("cache.db");
        Process a = child("share", file.toString(), "A", Integer.toString(COUNT), dir.resolve("a.txt").toString());
        Process b = child("share", file.toString(), "B", Integer.toString(COUNT), dir.resolve("b.txt").toString());
        finish(a, "a");
        finish(b, "b");
        Map<String, String> repliesA = replies(dir.resolve("a.txt"));
        Map<String, String> repliesB = replies(dir.resolve("b.txt"));
        long[] statsA = stats(dir.resolve("a.txt"));
        long[] statsB = stats(dir.resolve("b.txt"));

        // Whoever stored a shared entry first, both processes returned that one reply.
        CountingModel never = CountingModel.answering(request -> {
            throw new AssertionError("every entry is stored: no call expected");
        }, ChatRequestParameters.builder().modelName("shared-model").build());
        try (CachingChatModel reader = CachingChatModel.of(never, file)) {
            for (int i = 0; i < COUNT; i++) {
                String shared = "shared " + i;
                assertThat(repliesA.get(shared)).as(shared).isEqualTo(repliesB.get(shared))
                        .isEqualTo(reader.chat(shared));
                assertThat(reader.chat("own A " + i)).isEqualTo(repliesA.get("own A " + i)).endsWith("by A");
                assertThat(reader.chat("own B " + i)).isEqualTo(repliesB.get("own B " + i)).endsWith("by B");
            }
            assertThat(reader.size()).isEqualTo(3L * COUNT);
            assertThat(never.calls()).isZero();
        }
        // Each process's writes are its own entries plus the shared ones it stored first; together, every entry once.
        assertThat(statsA[2] + statsB[2]).isEqualTo(3L * COUNT);
        assertThat(statsA[0] + statsA[1]).isEqualTo(2L * COUNT);
        assertThat(statsB[0] + statsB[1]).isEqualTo(2L * COUNT);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aProcessKilledMidWriteLeavesAFileThatOpensWithOnlyCompleteEntries() throws Exception {
        Path file = dir.resolve("cache.db");
        Path progress = dir.resolve("progress");
        Process flood = child("flood", file.toString(), progress.toString());
        long stored;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (true) {
                stored = Files.exists(progress) ? parseOrZero(Files.readString(progress)) : 0;
                if (stored >= 30) {
                    break;
                }
                assertThat(flood.isAlive()).as("child still writing; log: %s", log("flood")).isTrue();
                assertThat(System.nanoTime()).as("child wrote 30 entries in time").isLessThan(deadline);
                Thread.sleep(20);
            }
            flood.destroyForcibly(); // SIGKILL: no shutdown hook, no close, most likely inside a write
            assertThat(flood.waitFor(1, TimeUnit.MINUTES)).isTrue();
        } finally {
            flood.destroyForcibly();
        }

        // The file opens (a damaged one would be refused here) and every entry in it is complete.
        CountingModel model = CountingModel.answering(request -> fail("no call expected"),
                ChatRequestParameters.builder().modelName("big-model").build());
        long entries;
        try (CachingChatModel reopened = CachingChatModel.of(model, file)) {
            entries = reopened.size();
            assertThat(entries).isGreaterThanOrEqualTo(stored);
            for (int i = 0; i < entries; i++) {
                assertThat(reopened.chat("big " + i)).isEqualTo(CacheWriterProcess.bigReply("big " + i));
            }
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = connection.createStatement()) {
            try (ResultSet check = statement.executeQuery("PRAGMA integrity_check")) {
                assertThat(check.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rows = statement.executeQuery("SELECT request, reply FROM entries")) {
                int rowCount = 0;
                while (rows.next()) {
                    StoredReply reply = StoredReply.fromJson(rows.getString(2));
                    String prompt = reply.text().substring(0, reply.text().indexOf(" | "));
                    assertThat(rows.getString(1)).contains(prompt);
                    assertThat(reply.text()).isEqualTo(CacheWriterProcess.bigReply(prompt));
                    rowCount++;
                }
                assertThat(rowCount).isEqualTo(entries);
            }
        }
        assertThat(model.calls()).isZero();
    }

    private Process child(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CacheWriterProcess.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(args[0] + (args[0].equals("share") ? args[2] : "") + ".log").toFile()).start();
    }

    private void finish(Process process, String tag) throws Exception {
        assertThat(process.waitFor(4, TimeUnit.MINUTES)).as("child %s finished", tag).isTrue();
        assertThat(process.exitValue()).as("child %s exit; log: %s", tag, log("share" + tag.toUpperCase()))
                .isZero();
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    private static long parseOrZero(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0; // caught between truncate and write
        }
    }

    private static Map<String, String> replies(Path file) throws Exception {
        Map<String, String> replies = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t", 2);
            replies.put(parts[0], parts[1]);
        }
        return replies;
    }

    /** hits, misses, writes of one child. */
    private static long[] stats(Path file) throws Exception {
        String[] numbers = replies(file).get("stats").split(" ");
        return new long[] {Long.parseLong(numbers[0]), Long.parseLong(numbers[1]), Long.parseLong(numbers[2])};
    }
}
