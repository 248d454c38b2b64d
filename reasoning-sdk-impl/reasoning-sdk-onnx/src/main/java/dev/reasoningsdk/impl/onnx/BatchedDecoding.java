package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The sampling loop shared by every local model: {@code count} rows of one prompt advance together, one batched
 * forward pass per step (at most {@value #MAX_ROWS} rows at once). A row stops at an end token, at
 * {@link GenerationOptions#maxNewTokens()}, or when prompt plus generated tokens reach the context length; a finished
 * row keeps being fed {@code padId} until every row is done (its outputs are ignored), because the rows of one prompt
 * share every tensor shape. Each generated token is reported with its text and, when
 * {@link GenerationOptions#topLogProbs()} asks, the most likely tokens at its position, all under the temperature-1
 * distribution whatever the sampling settings.
 */
final class BatchedDecoding {

    /** Rows decoded together at most; larger counts run in chunks (a 320-token cache of 64 rows is about 220 MB). */
    static final int MAX_ROWS = 64;

    private BatchedDecoding() {
    }

    /**
     * Samples {@code count} continuations of {@code promptIds}.
     *
     * @param endIds        tokens that end a row (not included in its output)
     * @param padId         fed to finished rows
     * @param contextLength the most tokens a row may hold, prompt included
     * @param detokenizer   turns a row's generated ids into its text
     * @param tokenText     the text of one token id, as {@link Generation#tokens()} reports it
     * @throws IllegalArgumentException if the prompt already fills the context
     */
    static List<Generation> generate(Decoder decoder, int[] promptIds, int count, GenerationOptions options,
                                     int[] endIds, int padId, int contextLength,
                                     Function<int[], String> detokenizer, IntFunction<String> tokenText) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (promptIds.length >= contextLength) {
            throw new IllegalArgumentException("the prompt has " + promptIds.length
                    + " tokens; the context holds " + contextLength + " and at least one must be generated");
        }
        if (count > MAX_ROWS) {
            List<Generation> all = new ArrayList<>(count);
            for (int first = 0; first < count; first += MAX_ROWS) {
                // Row r of a chunk starting at `first` uses seed + first + r, as it would in one big batch.
                GenerationOptions chunk = options.withSeed(options.seed() + first);
                all.addAll(generate(decoder, promptIds, Math.min(MAX_ROWS, count - first), chunk, endIds, padId,
                        contextLength, detokenizer, tokenText));
            }
            return all;
        }
        int vocabulary = decoder.vocabularySize();
        int budget = Math.min(options.maxNewTokens(), contextLength - promptIds.length);
        TokenSampler[] samplers = new TokenSampler[count];
        int[][] tokens = new int[count][budget];
        float[][] logProbs = new float[count][budget];
        List<List<TokenLogProb>> details = new ArrayList<>(count);
        int[] topIds = new int[options.topLogProbs()];
        float[] topLogProbs = new float[options.topLogProbs()];
        int[] lengths = new int[count];
        Generation.FinishReason[] reasons = new Generation.FinishReason[count];
        for (int row = 0; row < count; row++) {
            samplers[row] = new TokenSampler(options, row, vocabulary);
            details.add(new ArrayList<>());
        }
        int unfinished = count;
        int[] next = new int[count];
        try (Decoder.State state = decoder.start(promptIds, count)) {
            while (true) {
                float[] logits = state.logits();
                for (int row = 0; row < count; row++) {
                    if (reasons[row] != null) {
                        next[row] = padId;
                        continue;
                    }
                    int offset = row * vocabulary;
                    int token = samplers[row].next(logits, offset);
                    next[row] = token;
                    if (contains(endIds, token)) {
                        reasons[row] = Generation.FinishReason.END_OF_SEQUENCE;
                        unfinished--;
                        continue;
                    }
                    tokens[row][lengths[row]] = token;
                    float logProb = TokenSampler.logProbability(logits, offset, vocabulary, token);
                    logProbs[row][lengths[row]] = logProb;
                    int top = TokenSampler.top(logits, offset, vocabulary, options.topLogProbs(), topIds, topLogProbs);
                    List<TokenLogProb.Alternative> alternatives = new ArrayList<>(top);
                    for (int i = 0; i < top; i++) {
                        alternatives.add(new TokenLogProb.Alternative(tokenText.apply(topIds[i]), topLogProbs[i]));
                    }
                    details.get(row).add(new TokenLogProb(tokenText.apply(token), logProb, alternatives));
                    lengths[row]++;
                    if (lengths[row] == budget) {
                        reasons[row] = promptIds.length + budget >= contextLength
                                ? Generation.FinishReason.CONTEXT_LENGTH
                                : Generation.FinishReason.MAX_NEW_TOKENS;
                        unfinished--;
                    }
                }
                if (unfinished == 0) {
                    break;
                }
                state.advance(next);
            }
        }
        List<Generation> generations = new ArrayList<>(count);
        for (int row = 0; row < count; row++) {
            int[] ids = Arrays.copyOf(tokens[row], lengths[row]);
            generations.add(new Generation(detokenizer.apply(ids), ids, Arrays.copyOf(logProbs[row], lengths[row]),
                    promptIds.length, reasons[row], details.get(row)));
        }
        return generations;
    }

    private static boolean contains(int[] values, int value) {
        for (int candidate : values) {
            if (candidate == value) {
                return true;
            }
        }
        return false;
    }
}
