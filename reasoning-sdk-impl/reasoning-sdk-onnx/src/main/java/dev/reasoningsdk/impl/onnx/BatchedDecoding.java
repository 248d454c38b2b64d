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
 * The sampling loop shared by every local model: {@code count} rows of each prompt advance together, one batched
 * forward pass per step (at most {@value #MAX_ROWS} rows at once; the decoder pads prompts of different lengths).
 * Each step asks the decoder for only what the settings need ({@link #topNeeded}: the top tokens for greedy and
 * top-k sampling, every logit otherwise), checks for cancellation, then advances. A row stops at an end token, at
 * {@link GenerationOptions#maxNewTokens()}, or when prompt plus generated tokens reach the context length; a finished
 * row keeps being fed {@code padId} until every row is done (its outputs are ignored), because the rows of a batch
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
        return generate(decoder, List.of(promptIds), count, options, endIds, padId, contextLength, detokenizer,
                tokenText, GenerationCancellation.none()).get(0);
    }

    /**
     * Samples {@code count} continuations of each prompt, prompts of different lengths together in one batch (the
     * decoder pads them). Prompt {@code p}'s rows draw what {@code count} rows of that prompt alone would draw with
     * the seed {@code seed + p} (so its row {@code r} is seeded {@code seed + p + r}).
     *
     * @return one list of {@code count} generations per prompt, in order
     * @throws IllegalArgumentException if a prompt is empty or already fills the context
     * @throws java.util.concurrent.CancellationException if {@code cancellation} is cancelled or the thread is
     *                                                    interrupted before the last step
     */
    static List<List<Generation>> generate(Decoder decoder, List<int[]> prompts, int count,
                                           GenerationOptions options, int[] endIds, int padId, int contextLength,
                                           Function<int[], String> detokenizer, IntFunction<String> tokenText,
                                           GenerationCancellation cancellation) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompt was given");
        }
        for (int[] promptIds : prompts) {
            if (promptIds.length == 0) {
                throw new IllegalArgumentException("the prompt has no tokens");
            }
            if (promptIds.length >= contextLength) {
                throw new IllegalArgumentException("the prompt has " + promptIds.length
                        + " tokens; the context holds " + contextLength + " and at least one must be generated");
            }
        }
        if (count > MAX_ROWS) {
            List<List<Generation>> all = new ArrayList<>(prompts.size());
            for (int p = 0; p < prompts.size(); p++) {
                List<Generation> rows = new ArrayList<>(count);
                for (int first = 0; first < count; first += MAX_ROWS) {
                    // Row r of a chunk starting at `first` uses seed + p + first + r, as it would in one big batch.
                    GenerationOptions chunk = options.withSeed(options.seed() + p + first);
                    rows.addAll(generateBatch(decoder, List.of(prompts.get(p)), Math.min(MAX_ROWS, count - first),
                            chunk, endIds, padId, contextLength, detokenizer, tokenText, cancellation).get(0));
                }
                all.add(rows);
            }
            return all;
        }
        int promptsPerBatch = MAX_ROWS / count;
        List<List<Generation>> all = new ArrayList<>(prompts.size());
        int first = 0;
        while (first < prompts.size()) {
            int end = batchEnd(prompts, first, promptsPerBatch, options.maxNewTokens(), contextLength);
            all.addAll(generateBatch(decoder, prompts.subList(first, end), count,
                    options.withSeed(options.seed() + first), endIds, padId, contextLength, detokenizer, tokenText,
                    cancellation));
            first = end;
        }
        return all;
    }

    /**
     * The end of the batch that starts at prompt {@code first}: at most {@code promptsPerBatch} prompts, and only as
     * many as fit the context once padded. Left padding brings every row to the longest prompt's length, and a
     * shorter prompt may generate up to the context less its own length, so a short and a long prompt together could
     * take the batch past the context that no single row exceeds; such a prompt starts a new batch instead, where it
     * generates exactly what it would alone.
     */
    static int batchEnd(List<int[]> prompts, int first, int promptsPerBatch, int maxNewTokens, int contextLength) {
        int longest = 0;
        int longestBudget = 0;
        int end = first;
        while (end < prompts.size() && end - first < promptsPerBatch) {
            int length = prompts.get(end).length;
            int budget = Math.min(maxNewTokens, contextLength - length);
            if (end > first && Math.max(longest, length) + Math.max(longestBudget, budget) > contextLength) {
                break;
            }
            longest = Math.max(longest, length);
            longestBudget = Math.max(longestBudget, budget);
            end++;
        }
        return end;
    }

    /** At most {@value #MAX_ROWS} rows: {@code count} of each prompt, decoded together. */
    private static List<List<Generation>> generateBatch(Decoder decoder, List<int[]> prompts, int count,
                                                        GenerationOptions options, int[] endIds, int padId,
                                                        int contextLength, Function<int[], String> detokenizer,
                                                        IntFunction<String> tokenText,
                                                        GenerationCancellation cancellation) {
        int rows = prompts.size() * count;
        int vocabulary = decoder.vocabularySize();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int[] promptOfRow = new int[rows];
        int[] budgets = new int[rows];
        TokenSampler[] samplers = new TokenSampler[rows];
        int[][] tokens = new int[rows][];
        float[][] logProbs = new float[rows][];
        List<List<TokenLogProb>> details = new ArrayList<>(rows);
        int[] topIds = new int[options.topLogProbs()];
        float[] topLogProbs = new float[options.topLogProbs()];
        int[] lengths = new int[rows];
        Generation.FinishReason[] reasons = new Generation.FinishReason[rows];
        int longestBudget = 0;
        for (int row = 0; row < rows; row++) {
            promptOfRow[row] = row / count;
            budgets[row] = Math.min(options.maxNewTokens(), contextLength - prompts.get(row / count).length);
            longestBudget = Math.max(longestBudget, budgets[row]);
            tokens[row] = new int[budgets[row]];
            logProbs[row] = new float[budgets[row]];
            // Prompt p of the batch is seeded seed + p, as if decoded alone with that seed.
            samplers[row] = new TokenSampler(options.withSeed(options.seed() + row / count), row % count,
                    vocabulary);
            details.add(new ArrayList<>());
        }
        int unfinished = rows;
        int[] next = new int[rows];
        try (Decoder.State state = decoder.start(prompts, promptOfRow, topNeeded(options, vocabulary),
                longest + longestBudget, cancellation)) {
            while (true) {
                Decoder.Top top = state.top();
                float[] logits = top == null ? state.logits() : null;
                for (int row = 0; row < rows; row++) {
                    if (reasons[row] != null) {
                        next[row] = padId;
                        continue;
                    }
                    int offset = row * vocabulary;
                    int token = top == null ? samplers[row].next(logits, offset) : samplers[row].next(top, row);
                    next[row] = token;
                    if (contains(endIds, token)) {
                        reasons[row] = Generation.FinishReason.END_OF_SEQUENCE;
                        unfinished--;
                        continue;
                    }
                    tokens[row][lengths[row]] = token;
                    float logProb;
                    int alternativeCount;
                    if (top == null) {
                        logProb = TokenSampler.logProbability(logits, offset, vocabulary, token);
                        alternativeCount = TokenSampler.top(logits, offset, vocabulary, options.topLogProbs(), topIds,
                                topLogProbs);
                    } else {
                        logProb = logProbability(top, row, token);
                        alternativeCount = Math.min(options.topLogProbs(), top.k());
                        for (int i = 0; i < alternativeCount; i++) {
                            topIds[i] = top.ids()[row * top.k() + i];
                            topLogProbs[i] = top.logits()[row * top.k() + i] - top.logNormalizer()[row];
                        }
                    }
                    logProbs[row][lengths[row]] = logProb;
                    List<TokenLogProb.Alternative> alternatives = new ArrayList<>(alternativeCount);
                    for (int i = 0; i < alternativeCount; i++) {
                        alternatives.add(new TokenLogProb.Alternative(tokenText.apply(topIds[i]), topLogProbs[i]));
                    }
                    details.get(row).add(new TokenLogProb(tokenText.apply(token), logProb, alternatives));
                    lengths[row]++;
                    if (lengths[row] == budgets[row]) {
                        reasons[row] = prompts.get(promptOfRow[row]).length + budgets[row] >= contextLength
                                ? Generation.FinishReason.CONTEXT_LENGTH
                                : Generation.FinishReason.MAX_NEW_TOKENS;
                        unfinished--;
                    }
                }
                if (unfinished == 0) {
                    break;
                }
                cancellation.check();
                state.advance(next);
            }
        }
        List<List<Generation>> generations = new ArrayList<>(prompts.size());
        for (int prompt = 0; prompt < prompts.size(); prompt++) {
            List<Generation> ofPrompt = new ArrayList<>(count);
            for (int row = prompt * count; row < (prompt + 1) * count; row++) {
                int[] ids = Arrays.copyOf(tokens[row], lengths[row]);
                ofPrompt.add(new Generation(detokenizer.apply(ids), ids, Arrays.copyOf(logProbs[row], lengths[row]),
                        prompts.get(prompt).length, reasons[row], details.get(row)));
            }
            generations.add(ofPrompt);
        }
        return generations;
    }

    /**
     * How many of the largest logits a step needs, or 0 for all of them: greedy needs the first (and the
     * alternatives asked for); sampling needs the top-k when it is on, every logit otherwise.
     */
    static int topNeeded(GenerationOptions options, int vocabulary) {
        int needed;
        if (options.temperature() == 0) {
            needed = Math.max(1, options.topLogProbs());
        } else if (options.topK() > 0 && options.topK() < vocabulary) {
            needed = Math.max(options.topK(), options.topLogProbs());
        } else {
            return 0;
        }
        return needed < vocabulary ? needed : 0;
    }

    /** The log-probability of a token among a row's top (the chosen one always is). */
    private static float logProbability(Decoder.Top top, int row, int token) {
        for (int i = 0; i < top.k(); i++) {
            if (top.ids()[row * top.k() + i] == token) {
                return top.logits()[row * top.k() + i] - top.logNormalizer()[row];
            }
        }
        throw new IllegalStateException("token " + token + " is not among row " + row + "'s top " + top.k());
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
