package dev.reasoningsdk.api.merge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable description of one merge: method, inputs with their parameters, optional base model, output and
 * dtype. Built by {@link #builder()}, which validates eagerly. Mirrors a mergekit config: per-model parameters
 * (e.g. {@code weight}, {@code density}) and global parameters (e.g. {@code t}, {@code normalize}, {@code lambda})
 * are {@link RatioSchedule}s, so each can vary over layers or tensor names.
 */
public final class MergePlan {

    /**
     * One input model and its parameters.
     *
     * @param path       a safetensors file, a directory with {@code model.safetensors.index.json}, or an ONNX file
     * @param parameters per-model parameters by name
     */
    public record ModelInput(Path path, Map<String, RatioSchedule> parameters) {
        /** @throws NullPointerException if an argument is null */
        public ModelInput {
            Objects.requireNonNull(path, "path");
            parameters = Map.copyOf(parameters);
        }
    }

    private final MergeMethod method;
    private final List<ModelInput> models;
    private final Path baseModel;
    private final Map<String, RatioSchedule> parameters;
    private final Path output;
    private final String outputDtype;
    private final long maxShardBytes;
    private final long seed;
    private final SignConsensus signConsensus;

    private MergePlan(Builder builder) {
        this.method = builder.method;
        this.models = List.copyOf(builder.models);
        this.baseModel = builder.baseModel;
        this.parameters = Map.copyOf(builder.parameters);
        this.output = builder.output;
        this.outputDtype = builder.outputDtype;
        this.maxShardBytes = builder.maxShardBytes;
        this.seed = builder.seed;
        this.signConsensus = builder.signConsensus;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The merge method. */
    public MergeMethod method() {
        return method;
    }

    /** The input models, in config order. */
    public List<ModelInput> models() {
        return models;
    }

    /** The base model, required by task arithmetic, TIES, DARE and Model Stock. */
    public Optional<Path> baseModel() {
        return Optional.ofNullable(baseModel);
    }

    /** Global parameters by name. */
    public Map<String, RatioSchedule> parameters() {
        return parameters;
    }

    /**
     * The output: a {@code .safetensors} or {@code .onnx} file, or a directory for sharded output. Empty for a plan
     * whose result is kept in memory (e.g. merged ONNX bytes handed straight to ONNX Runtime).
     */
    public Optional<Path> output() {
        return Optional.ofNullable(output);
    }

    /** The output dtype ({@code F32}, {@code F16}, {@code BF16}, {@code F64}); empty keeps each tensor's own. */
    public Optional<String> outputDtype() {
        return Optional.ofNullable(outputDtype);
    }

    /** The largest shard in bytes; {@code 0} writes a single file. */
    public long maxShardBytes() {
        return maxShardBytes;
    }

    /** The seed of randomised methods (DARE). */
    public long seed() {
        return seed;
    }

    /** How TIES and DARE-TIES elect each entry's sign; {@link SignConsensus#SUM} by default. */
    public SignConsensus signConsensus() {
        return signConsensus;
    }

    /**
     * The models a method reads, base first when the method has one: the base model (if any) followed by the
     * listed models that are not the base, each path once. SLERP reads exactly two.
     */
    public List<Path> distinctInputs() {
        List<Path> inputs = new ArrayList<>();
        if (baseModel != null) {
            inputs.add(baseModel);
        }
        for (ModelInput model : models) {
            if (!inputs.contains(model.path())) {
                inputs.add(model.path());
            }
        }
        return inputs;
    }

    /** Builds a {@link MergePlan}; each setter rejects bad values at once. Not thread-safe. */
    public static final class Builder {
        private MergeMethod method;
        private final List<ModelInput> models = new ArrayList<>();
        private Path baseModel;
        private final Map<String, RatioSchedule> parameters = new LinkedHashMap<>();
        private Path output;
        private String outputDtype;
        private long maxShardBytes;
        private long seed = 42;
        private SignConsensus signConsensus = SignConsensus.SUM;

        private Builder() {
        }

        /** The merge method (required). */
        public Builder method(MergeMethod method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        /** Adds an input model with its parameters. */
        public Builder addModel(Path path, Map<String, RatioSchedule> modelParameters) {
            models.add(new ModelInput(path, modelParameters));
            return this;
        }

        /** Adds an input model with no parameters of its own. */
        public Builder addModel(Path path) {
            return addModel(path, Map.of());
        }

        /** The base model. */
        public Builder baseModel(Path baseModel) {
            this.baseModel = Objects.requireNonNull(baseModel, "baseModel");
            return this;
        }

        /** Sets a global parameter. */
        public Builder parameter(String name, RatioSchedule value) {
            Objects.requireNonNull(name, "name");
            parameters.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Where the merge writes (required to write files; absent when the result is kept in memory). Unsharded, the
         * output is one file: this path (e.g. {@code out/model.safetensors}, or {@code merged.onnx} for ONNX
         * inputs), or {@code model.safetensors} inside it when it is an existing directory; a path that does not
         * exist yet is taken as the file's name, extension or not. Sharded ({@link #maxShardBytes}), it is the
         * directory that receives {@code model-0000i-of-0000N.safetensors} and {@code model.safetensors.index.json}.
         * Output files that exist already are replaced, each as a whole (written beside it, then renamed over it);
         * one that is an input is refused.
         */
        public Builder output(Path output) {
            this.output = Objects.requireNonNull(output, "output");
            return this;
        }

        /**
         * The output dtype.
         *
         * @throws IllegalArgumentException if not one of F32, F16, BF16, F64
         */
        public Builder outputDtype(String dtype) {
            Objects.requireNonNull(dtype, "dtype");
            if (!List.of("F32", "F16", "BF16", "F64").contains(dtype)) {
                throw new IllegalArgumentException("output dtype must be F32, F16, BF16 or F64, was " + dtype);
            }
            this.outputDtype = dtype;
            return this;
        }

        /**
         * Shard the output into files of at most this many bytes (a larger tensor gets a shard of its own), written
         * into the {@link #output} directory; 0 (the default) writes one file.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxShardBytes(long maxShardBytes) {
            if (maxShardBytes < 0) {
                throw new IllegalArgumentException("maxShardBytes must be >= 0, was " + maxShardBytes);
            }
            this.maxShardBytes = maxShardBytes;
            return this;
        }

        /** The seed of randomised methods; 42 by default. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How TIES and DARE-TIES elect signs; {@link SignConsensus#SUM} (the TIES paper's) by default. */
        public Builder signConsensus(SignConsensus signConsensus) {
            this.signConsensus = Objects.requireNonNull(signConsensus, "signConsensus");
            return this;
        }

        /**
         * @throws IllegalStateException if the method is missing, there is no model, a method that needs a base
         *                               has none, a linear merge names a base that is not one of its models, or
         *                               SLERP is not given exactly two models
         */
        public MergePlan build() {
            if (method == null) {
                throw new IllegalStateException("method is required");
            }
            if (models.isEmpty()) {
                throw new IllegalStateException("at least one model is required");
            }
            boolean needsBase = method != MergeMethod.LINEAR && method != MergeMethod.SLERP;
            if (needsBase && baseModel == null) {
                throw new IllegalStateException(method.configName() + " needs a base_model");
            }
            if (method == MergeMethod.LINEAR && baseModel != null
                    && models.stream().noneMatch(model -> model.path().equals(baseModel))) {
                // linear averages its models only: a base named beside them would be left out without a word.
                throw new IllegalStateException("linear averages its models only, and base_model " + baseModel
                        + " is not one of them, so it would be left out; list it under models with a weight, or"
                        + " leave base_model out");
            }
            MergePlan plan = new MergePlan(this);
            if (method == MergeMethod.SLERP && plan.distinctInputs().size() != 2) {
                throw new IllegalStateException("slerp merges exactly two models, got " + plan.distinctInputs());
            }
            if (method == MergeMethod.MODEL_STOCK && plan.distinctInputs().size() < 3) {
                throw new IllegalStateException("model_stock needs a base model and at least two other models");
            }
            return plan;
        }
    }
}
