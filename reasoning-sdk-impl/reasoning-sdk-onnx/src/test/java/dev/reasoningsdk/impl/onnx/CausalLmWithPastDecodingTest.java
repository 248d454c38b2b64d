package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.hf.internal.GraphWithHiddenState;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decoding loop on the qwen3-tiny-random export with its next-token outputs: cancellation between steps (a
 * handle, an interrupt) and of a step in progress (ONNX Runtime's terminate flag), the KV-cache memory bound, and no
 * cache tensor left open after any of them.
 */
class CausalLmWithPastDecodingTest {

    private static final Path FOLDER = ProjectData.require("models/qwen3-tiny-random");
    /** The arithmetic prompt of reference.json, enable_thinking undefined. */
    private static final int[] PROMPT = {151644, 872, 198, 23950, 702, 220, 16, 19, 40676, 13, 1260, 49531, 220, 22,
            803, 13, 2585, 1657, 40676, 1558, 8224, 614, 30, 151645, 198, 151644, 77091, 198};

    private static OnnxSessionFactory factory;
    private static OnnxModelSession session;
    private static CausalLmWithPast lm;

    @BeforeAll
    static void load() {
        factory = OnnxSessionFactory.cpu(1);
        session = factory.open(GraphWithHiddenState.of(FOLDER.resolve("model.onnx")).source());
        lm = CausalLmWithPast.builder().session(session).endTokenIds(151645, 151643).padTokenId(151643)
                .contextLength(1024).maxCacheBytes(10_000_000).build();
    }

    @AfterAll
    static void close() {
        session.close();
        factory.close();
    }

    @AfterEach
    void nothingLeaked() {
        assertThat(lm.openCacheValues()).as("cache tensors left open").isZero();
    }

    @Test
    void aCancelledHandleStopsBeforeTheNextStepAndFreesTheCache() {
        GenerationCancellation cancellation = GenerationCancellation.create();
        AtomicInteger tokens = new AtomicInteger();
        AtomicInteger openWhileDecoding = new AtomicInteger();
        IntFunction<String> tokenText = id -> {
            if (tokens.incrementAndGet() == 3) {
                openWhileDecoding.set(lm.openCacheValues());
                cancellation.cancel();
            }
            return "t";
        };
        assertThatThrownBy(() -> lm.generate(List.of(PROMPT), 1, GenerationOptions.greedy(12), ids -> "",
                tokenText, cancellation)).isInstanceOf(CancellationException.class)
                .hasMessage("generation cancelled");
        assertThat(tokens).hasValue(3);
        assertThat(openWhileDecoding.get()).as("the cache is counted while it is held").isPositive();
        assertThat(cancellation.isCancelled()).isTrue();
    }

    @Test
    void anInterruptStopsBeforeTheNextStepAndKeepsTheFlag() {
        AtomicInteger tokens = new AtomicInteger();
        IntFunction<String> tokenText = id -> {
            if (tokens.incrementAndGet() == 2) {
                Thread.currentThread().interrupt();
            }
            return "t";
        };
        try {
            assertThatThrownBy(() -> lm.generate(List.of(PROMPT), 2, GenerationOptions.greedy(12), ids -> "",
                    tokenText, GenerationCancellation.create())).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("interrupted");
            // Two rows: both report their first token, then the loop stops.
            assertThat(tokens).hasValue(2);
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt flag is kept").isTrue();
        }
    }

    @Test
    void cancellingTerminatesTheStepOnnxRuntimeRuns() {
        GenerationCancellation cancellation = GenerationCancellation.create();
        try (Decoder.State state = lm.decoder().start(List.of(PROMPT), new int[] {0}, 1, PROMPT.length + 4,
                cancellation)) {
            int first = state.top().ids()[0];
            cancellation.cancel();
            // Straight to the model, past the loop's own check: only ONNX Runtime's terminate flag stops this run.
            assertThatThrownBy(() -> state.advance(new int[] {first})).isInstanceOf(CancellationException.class);
        }
    }

    @Test
    void aBatchWhoseCacheExceedsTheLimitIsRefusedBeforeItStarts() {
        // 2 layers x 2 x 2 heads x 8 x 4 bytes = 256 bytes per token and row, counted twice: 512.
        assertThat(lm.cacheBytes(1, 1)).isEqualTo(512);
        GenerationOptions options = GenerationOptions.greedy(1000 - PROMPT.length);
        assertThatThrownBy(() -> lm.generate(List.of(PROMPT), 64, options, ids -> "", id -> "",
                GenerationCancellation.create())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 rows x 1000 tokens needs 32768000 bytes")
                .hasMessageContaining("over maxCacheBytes 10000000");
        // The same length fits at fewer rows.
        assertThat(lm.cacheBytes(8, 1000)).isLessThan(10_000_000);
    }

    @Test
    void aFinishedGenerationLeavesNoCacheOpen() {
        List<Generation> rows = lm.generate(PROMPT, 3, GenerationOptions.greedy(4), ids -> "", id -> "");
        assertThat(rows).hasSize(3).allSatisfy(row -> assertThat(row.tokenIds()).hasSize(4)
                .startsWith(32440, 68032));
    }
}
