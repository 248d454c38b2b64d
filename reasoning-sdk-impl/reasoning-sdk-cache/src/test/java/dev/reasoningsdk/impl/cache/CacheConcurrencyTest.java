package dev.reasoningsdk.impl.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads on one instance, and instances sharing one file: every entry needed is fetched from the model once,
 * whoever asks for it, and a replay from many threads makes no call.
 */
class CacheConcurrencyTest {

    @TempDir
    Path dir;

    @Test
    void manyThreadsOnOneInstanceStoreOneEntryPerRequestAndReplayThemWithoutACall() throws Exception {
        Path file = dir.resolve("cache.db");
        CountingModel model = CountingModel.echo(5);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            prompts.add(i % 2 == 0 ? "same" : "different " + i); // 32 identical requests, 32 distinct ones
        }
        List<String> firstRun;
        try (CachingChatModel cached = CachingChatModel.of(model, file)) {
            firstRun = runConcurrently(16, prompts, cached);
            assertThat(cached.stats()).isEqualTo(new CacheStats(0, 64, 64));
            assertThat(cached.size()).isEqualTo(64);
        }
        assertThat(model.calls()).isEqualTo(64);
        assertThat(firstRun).doesNotHaveDuplicates(); // 32 samples of "same" stayed 32 different samples
        try (CachingChatModel replay = CachingChatModel.of(model, file)) {
            List<String> secondRun = runConcurrently(16, prompts, replay);
            assertThat(secondRun).containsExactlyInAnyOrderElementsOf(firstRun);
            assertThat(replay.stats()).isEqualTo(new CacheStats(64, 0, 0));
        }
        assertThat(model.calls()).isEqualTo(64);
    }

    /**
     * Two stores opening one new file at the same moment, as two processes sharing a cache do when they start
     * together: both open it. Switching a new file to WAL needs the file to itself, and SQLite refuses that switch
     * at once, without the busy timeout, while another connection opens it; with the old open, 300 such pairs failed
     * 7 and 15 times in two runs, and CacheProcessesTest once failed on it in CI.
     */
    @Test
    void storesOpeningOneNewFileAtOnceAllOpenIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                Path file = dir.resolve("new-" + round + ".db");
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Long>> counts = new ArrayList<>();
                for (int store = 0; store < 2; store++) {
                    counts.add(pool.submit(() -> {
                        start.await();
                        try (CacheStore opened = CacheStore.open(file, Duration.ofSeconds(30), 2)) {
                            return opened.count("any");
                        }
                    }));
                }
                start.countDown();
                for (Future<Long> count : counts) {
                    assertThat(count.get()).as("round %d", round).isZero();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Two instances in one JVM missing the same entry at once: one model call, the other reads its reply. */
    @Test
    void instancesOnOneFileShareACallInFlight() throws Exception {
        Path file = dir.resolve("cache.db");
        CountingModel model = CountingModel.echo(200);
        try (CachingChatModel a = CachingChatModel.of(model, file); CachingChatModel b = CachingChatModel.of(model, file)) {
            for (int round = 0; round < 5; round++) {
                String prompt = "round " + round;
                List<String> replies = runConcurrently(2, List.of(prompt, prompt),
                        List.of(a, b), (cached, text) -> cached.chat(text));
                assertThat(replies.get(0)).isEqualTo(replies.get(1));
            }
            assertThat(model.calls()).isEqualTo(5);
            assertThat(a.stats().misses() + b.stats().misses()).isEqualTo(5);
            assertThat(a.stats().hits() + b.stats().hits()).isEqualTo(5);
        }
    }

    /**
     * Any workload of two instances on one file, four threads each: the model is called once per entry needed (for
     * each request, the larger of the two instances' counts of it), each instance's replies to one request are
     * distinct entries, and every request is a hit or a miss.
     */
    @Property(tries = 25)
    void theModelIsCalledOncePerEntryNeeded(@ForAll @Size(max = 24) List<@IntRange(max = 3) Integer> first,
                                            @ForAll @Size(max = 24) List<@IntRange(max = 3) Integer> second)
            throws Exception {
        Path folder = Files.createTempDirectory("cache-property");
        try {
            CountingModel model = CountingModel.echo(1);
            Path file = folder.resolve("cache.db");
            List<String> prompts = new ArrayList<>();
            List<CachingChatModel> routes = new ArrayList<>();
            try (CachingChatModel a = CachingChatModel.of(model, file);
                 CachingChatModel b = CachingChatModel.of(model, file)) {
                for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
                    if (i < first.size()) {
                        prompts.add("prompt " + first.get(i));
                        routes.add(a);
                    }
                    if (i < second.size()) {
                        prompts.add("prompt " + second.get(i));
                        routes.add(b);
                    }
                }
                List<String> replies = runConcurrently(8, prompts, routes, (cached, text) -> cached.chat(text));
                Map<String, Integer> countA = counts(first);
                Map<String, Integer> countB = counts(second);
                int needed = 0;
                for (String prompt : union(countA.keySet(), countB.keySet())) {
                    needed += Math.max(countA.getOrDefault(prompt, 0), countB.getOrDefault(prompt, 0));
                }
                assertThat(model.calls()).isEqualTo(needed);
                assertThat(a.size()).isEqualTo(needed);
                assertThat(a.stats().requests()).isEqualTo(first.size());
                assertThat(b.stats().requests()).isEqualTo(second.size());
                for (CachingChatModel instance : List.of(a, b)) {
                    List<String> own = new ArrayList<>();
                    for (int i = 0; i < replies.size(); i++) {
                        if (routes.get(i) == instance) {
                            own.add(replies.get(i));
                        }
                    }
                    assertThat(own).doesNotHaveDuplicates();
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private static Map<String, Integer> counts(List<Integer> prompts) {
        Map<String, Integer> counts = new HashMap<>();
        for (int prompt : prompts) {
            counts.merge("prompt " + prompt, 1, Integer::sum);
        }
        return counts;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private interface Call<M> {
        String call(M model, String prompt) throws Exception;
    }

    private static List<String> runConcurrently(int threads, List<String> prompts, CachingChatModel model)
            throws Exception {
        return runConcurrently(threads, prompts, Collections.nCopies(prompts.size(), model),
                (cached, text) -> cached.chat(text));
    }

    /** Sends {@code prompts.get(i)} to {@code models.get(i)}, all released at once; replies in prompt order. */
    private static <M> List<String> runConcurrently(int threads, List<String> prompts, List<M> models, Call<M> call)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                int index = i;
                Callable<String> task = () -> {
                    start.await();
                    try {
                        return call.call(models.get(index), prompts.get(index));
                    } catch (Exception | Error e) {
                        failures.add(e);
                        throw e;
                    }
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<String> replies = new ArrayList<>();
            for (Future<String> future : futures) {
                replies.add(future.get());
            }
            assertThat(failures).isEmpty();
            return replies;
        } finally {
            pool.shutdownNow();
        }
    }
}
