package dev.reasoningsdk.impl.training;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.api.ModelRunException;
import dev.reasoningsdk.impl.onnx.internal.TinyReasonerGraph;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Greedy decoding of many different prompts at once through the tiny reasoner's decoder-with-past graph
 * ({@link TinyReasonerGraph#withPast}), with left padding, exactly as the tuned pair's {@code npeval.py} decodes:
 * prompts sorted by length in batches of 64, padded keys masked, padded rows at position 0, argmax (first maximum)
 * at the last position, a row stops at {@code <eos>} or when it reaches 320 tokens, and a batch runs at most
 * {@code min(180, 320 - shortest prompt)} steps. One decode per batch step instead of one per problem and token is
 * what makes scoring hundreds of merge candidates affordable. The vocabulary is the tiny reasoner's: pad 0, bos 1,
 * eos 2, newline 3, then the printable ASCII characters 32..126. Not thread-safe; close it once done.
 */
final class BatchedGreedyDecoder implements AutoCloseable {

    static final int PAD = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int MAX_LEN = 320;
    static final int MAX_NEW = 180;
    private static final int BATCH = 64;
    /** How failures name the model: a tiny reasoner (often merged weights) rewritten to decode with a cache. */
    private static final String MODEL_NAME = "tiny-reasoner (decoder with past)";

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final int layers;
    private final int heads;
    private final int headDim;

    /**
     * A decoder for a tiny-reasoner ONNX model's bytes (e.g. a merge), on CPU with {@code threads} intra-op threads.
     */
    BatchedGreedyDecoder(byte[] tinyReasonerOnnx, int threads) {
        try {
            options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            session = environment.createSession(TinyReasonerGraph.withPast(tinyReasonerOnnx), options);
            Map<String, NodeInfo> inputs = session.getInputInfo();
            int count = 0;
            while (inputs.containsKey("past_key_values." + count + ".key")) {
                count++;
            }
            layers = count;
            long[] shape = ((TensorInfo) inputs.get("past_key_values.0.key").getInfo()).getShape();
            heads = (int) shape[1];
            headDim = (int) shape[3];
        } catch (OrtException e) {
            throw new ModelLoadException("model " + MODEL_NAME + ": cannot open it: " + e.getMessage(), e);
        }
    }

    /** Token ids for {@code <bos>} and the characters of {@code text}. */
    static int[] encodeWithBos(String text) {
        int[] ids = new int[text.length() + 1];
        ids[0] = BOS;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                ids[i + 1] = 3;
            } else if (c >= 32 && c <= 126) {
                ids[i + 1] = c - 32 + 4;
            } else {
                throw new IllegalArgumentException("character " + (int) c
                        + " is not in the tiny reasoner's vocabulary");
            }
        }
        return ids;
    }

    /** The text of generated ids (special tokens dropped). */
    static String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            if (id == 3) {
                text.append('\n');
            } else if (id >= 4) {
                text.append((char) (id - 4 + 32));
            }
        }
        return text.toString();
    }

    /** The greedy continuation (text, without {@code <eos>}) of every prompt, in the prompts' order. */
    List<String> generate(List<String> prompts) {
        int[][] ids = prompts.stream().map(BatchedGreedyDecoder::encodeWithBos).toArray(int[][]::new);
        Integer[] order = IntStream.range(0, ids.length).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
        String[] out = new String[ids.length];
        for (int start = 0; start < order.length; start += BATCH) {
            int[] batch = new int[Math.min(BATCH, order.length - start)];
            for (int r = 0; r < batch.length; r++) {
                batch[r] = order[start + r];
            }
            int[][] generated = decodeBatch(batch, ids);
            for (int r = 0; r < batch.length; r++) {
                out[batch[r]] = decode(generated[r]);
            }
        }
        return List.of(out);
    }

    private int[][] decodeBatch(int[] rows, int[][] ids) {
        int b = rows.length;
        int[] lengths = new int[b];
        int longest = 0;
        int shortest = Integer.MAX_VALUE;
        for (int r = 0; r < b; r++) {
            lengths[r] = ids[rows[r]].length;
            longest = Math.max(longest, lengths[r]);
            shortest = Math.min(shortest, lengths[r]);
        }
        int cap = Math.min(MAX_NEW, MAX_LEN - shortest);
        long[] tokens = new long[b * longest];
        long[] valid = new long[b * longest];
        long[] positions = new long[b * longest];
        int[] pad = new int[b];
        for (int r = 0; r < b; r++) {
            pad[r] = longest - lengths[r];
            for (int t = 0; t < longest; t++) {
                boolean real = t >= pad[r];
                tokens[r * longest + t] = real ? ids[rows[r]][t - pad[r]] : PAD;
                valid[r * longest + t] = real ? 1 : 0;
                positions[r * longest + t] = Math.max(0, t - pad[r]);
            }
        }
        List<List<Integer>> generated = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            generated.add(new ArrayList<>());
        }
        OnnxValue[] past = emptyPast(b);
        OrtSession.Result previous = null;
        try {
            OrtSession.Result result = run(tokens, valid, positions, b, longest, past);
            float[][] logits = lastLogits(result, b, longest);
            boolean[] done = new boolean[b];
            int[] current = lengths.clone();
            long[] mask = valid;
            for (int t = 0; t < cap; t++) {
                long[] next = new long[b];
                boolean allDone = true;
                for (int r = 0; r < b; r++) {
                    int token = done[r] ? PAD : argmax(logits[r]);
                    next[r] = token;
                    if (!done[r]) {
                        current[r]++;
                        generated.get(r).add(token);
                    }
                    done[r] = done[r] || token == EOS || current[r] >= MAX_LEN;
                    allDone &= done[r];
                }
                if (allDone) {
                    break;
                }
                int index = longest + t;
                long[] stepPositions = new long[b];
                for (int r = 0; r < b; r++) {
                    stepPositions[r] = Math.min(index - pad[r], MAX_LEN - 1);
                }
                long[] grown = new long[b * (index + 1)];
                for (int r = 0; r < b; r++) {
                    System.arraycopy(mask, r * index, grown, r * (index + 1), index);
                    grown[r * (index + 1) + index] = 1;
                }
                mask = grown;
                OnnxValue[] present = presents(result);
                if (previous != null) {
                    previous.close();
                }
                previous = result;
                result = run(next, mask, stepPositions, b, 1, present);
                logits = lastLogits(result, b, 1);
            }
            result.close();
        } catch (OrtException e) {
            throw new ModelRunException("model " + MODEL_NAME + ": decoding failed: " + e.getMessage(), e);
        } finally {
            if (previous != null) {
                previous.close();
            }
            for (OnnxValue value : past) {
                value.close();
            }
        }
        int[][] texts = new int[b][];
        for (int r = 0; r < b; r++) {
            List<Integer> row = generated.get(r);
            int end = 0;
            while (end < row.size() && row.get(end) != EOS && row.get(end) != PAD) {
                end++;
            }
            texts[r] = row.subList(0, end).stream().mapToInt(Integer::intValue).toArray();
        }
        return texts;
    }

    private OnnxValue[] emptyPast(int batch) {
        OnnxValue[] past = new OnnxValue[2 * layers];
        try {
            for (int i = 0; i < past.length; i++) {
                past[i] = OnnxTensor.createTensor(environment, FloatBuffer.allocate(0),
                        new long[] {batch, heads, 0, headDim});
            }
        } catch (OrtException e) {
            throw new ModelRunException("model " + MODEL_NAME + ": cannot create an empty cache: " + e.getMessage(),
                    e);
        }
        return past;
    }

    private OnnxValue[] presents(OrtSession.Result result) {
        OnnxValue[] present = new OnnxValue[2 * layers];
        for (int layer = 0; layer < layers; layer++) {
            present[2 * layer] = result.get("present." + layer + ".key").orElseThrow();
            present[2 * layer + 1] = result.get("present." + layer + ".value").orElseThrow();
        }
        return present;
    }

    private OrtSession.Result run(long[] ids, long[] mask, long[] positions, int batch, int length,
                                  OnnxValue[] past) throws OrtException {
        List<OnnxTensor> created = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = new HashMap<>();
            feed.put("input_ids", track(OnnxTensor.createTensor(environment, LongBuffer.wrap(ids),
                    new long[] {batch, length}), created));
            feed.put("attention_mask", track(OnnxTensor.createTensor(environment, LongBuffer.wrap(mask),
                    new long[] {batch, mask.length / batch}), created));
            feed.put("position_ids", track(OnnxTensor.createTensor(environment, LongBuffer.wrap(positions),
                    new long[] {batch, length}), created));
            for (int layer = 0; layer < layers; layer++) {
                feed.put("past_key_values." + layer + ".key", (OnnxTensor) past[2 * layer]);
                feed.put("past_key_values." + layer + ".value", (OnnxTensor) past[2 * layer + 1]);
            }
            return session.run(feed);
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor track(OnnxTensor tensor, List<OnnxTensor> created) {
        created.add(tensor);
        return tensor;
    }

    private static float[][] lastLogits(OrtSession.Result result, int batch, int length) {
        FloatBuffer all = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
        int vocabulary = all.remaining() / (batch * length);
        float[][] last = new float[batch][vocabulary];
        for (int r = 0; r < batch; r++) {
            all.position((r * length + length - 1) * vocabulary);
            all.get(last[r]);
        }
        return last;
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the decoder session", e);
        } finally {
            options.close();
        }
    }
}
