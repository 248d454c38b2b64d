package dev.reasoningsdk.impl.prompt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a prompt search writes to resume from: its identity (optimiser, seed, initial prompt), every prompt scored
 * so far with its score ({@code null} for a failed evaluation), the cost and the elapsed time. Written atomically
 * ({@link AtomicFiles}), read with duplicate-key detection.
 */
record Checkpoint(int version, String method, long seed, String initialPrompt, long elapsedMillis, int samples,
                  int modelCalls, int failedCalls, long inputTokens, long outputTokens, List<Entry> evaluations) {

    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    Checkpoint {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(initialPrompt, "initialPrompt");
        evaluations = List.copyOf(evaluations);
    }

    static Checkpoint of(String method, long seed, String initialPrompt, Usage usage, List<Entry> evaluations) {
        return new Checkpoint(VERSION, method, seed, initialPrompt, usage.wallTime().toMillis(), usage.samples(),
                usage.modelCalls(), usage.failedCalls(), usage.inputTokens(), usage.outputTokens(), evaluations);
    }

    Usage usage() {
        return new Usage(samples, modelCalls, failedCalls, inputTokens, outputTokens, Duration.ofMillis(elapsedMillis));
    }

    void write(Path file) {
        try {
            AtomicFiles.write(file, out -> JSON.writeValue(out, this));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file, e);
        }
    }

    /**
     * @throws IllegalArgumentException if the file is not a checkpoint of this format
     * @throws dev.reasoningsdk.impl.DataFileException if it is a directory, FIFO or device (which would block)
     */
    static Checkpoint read(Path file) {
        try (InputStream in = Files.newInputStream(TextFiles.requireRegularFile(file))) {
            Checkpoint checkpoint = JSON.readValue(in, Checkpoint.class);
            if (checkpoint.version() != VERSION) {
                throw new IllegalArgumentException("checkpoint " + file + " has version " + checkpoint.version()
                        + ", expected " + VERSION);
            }
            return checkpoint;
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint " + file + " is not readable: " + e.getMessage(), e);
        }
    }

    /** One scored prompt; {@code score} is null when its evaluation failed. */
    record Entry(String prompt, Double score) {
        Entry {
            Objects.requireNonNull(prompt, "prompt");
        }
    }
}
