package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.api.merge.SignConsensus;
import dev.reasoningsdk.impl.DataFileException;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.merge.internal.ModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A merge described in mergekit's YAML shape, turned into a {@link MergePlan}:
 *
 * <pre>{@code
 * merge_method: ties            # linear, task_arithmetic, slerp, ties, dare_linear, dare_ties, model_stock
 * base_model: base.safetensors  # paths are relative to the config file
 * models:
 *   - model: tuned.safetensors
 *     parameters: {weight: 0.7, density: [0.2, 0.8]}
 * parameters:
 *   normalize: true
 *   consensus_method: count     # ties / dare_ties: sum (default) or count
 *   t:                          # a filter list: first matching substring wins, the entry without filter is the rest
 *     - {filter: self_attn, value: [0, 0.5, 1]}
 *     - value: 0.5
 * dtype: bfloat16               # output dtype (out_dtype takes precedence): float32, float16, bfloat16, float64
 * random_seed: 42               # seed of DARE's masks
 * }</pre>
 *
 * <p>A parameter value is a number or boolean (one value everywhere), a list of numbers (mergekit's gradient,
 * interpolated over the layers; as in mergekit, tensors before the layers take the first value and tensors after
 * them the last), a list of {@code filter}/
 * {@code value} entries (in order, first match wins, as in mergekit; an entry without filter or with {@code "*"}
 * matches every tensor), or HMA's split notation {@code {groups: [{layers: [0, 10], value: 0.4}, ...], rest: 0.2,
 * outside_layers: 0.2}}. Every key is checked: a key this merger does not implement (e.g. {@code slices},
 * {@code tokenizer_source}, {@code int8_mask}) is refused by name, never ignored. Duplicate YAML keys are refused.
 *
 * @param plan the plan without an output
 */
public record MergeConfig(MergePlan plan) {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MergeConfig.class);

    private static final Set<String> TOP_LEVEL = Set.of("merge_method", "models", "base_model", "parameters", "dtype",
            "out_dtype", "random_seed");
    private static final Set<String> MODEL_KEYS = Set.of("model", "parameters");
    private static final Map<String, String> DTYPES = Map.of("float32", "F32", "float16", "F16", "bfloat16", "BF16",
            "float64", "F64", "f32", "F32", "f16", "F16", "bf16", "BF16", "f64", "F64");

    /** @throws NullPointerException if the plan is null */
    public MergeConfig {
        Objects.requireNonNull(plan, "plan");
    }

    /**
     * Reads a config file (UTF-8, a byte order mark allowed); relative model paths are resolved against its
     * directory.
     *
     * @throws IllegalArgumentException naming the file and the key or value that is wrong or unsupported, or if the
     *                                  file is not a regular file (a FIFO would block the read forever)
     * @throws DataFileException        if the file is a directory or not UTF-8 (naming the line and byte)
     * @throws IOException              if the file cannot be read
     */
    public static MergeConfig load(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (Files.exists(file) && !Files.isDirectory(file)) {
            ModelFiles.requireRegularFile(file);
        }
        String yaml = TextFiles.read(file);
        try {
            return parse(yaml, dir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses config text; relative model paths are resolved against {@code baseDir}.
     *
     * @throws IllegalArgumentException naming the key or value that is wrong or unsupported
     */
    public static MergeConfig parse(String yaml, Path baseDir) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("merge config is not valid YAML: " + e.getMessage(), e);
        }
        Map<String, Object> top = map(root, "the merge config");
        for (String key : top.keySet()) {
            if (!TOP_LEVEL.contains(key)) {
                throw new IllegalArgumentException("merge config key '" + key + "' is not supported (supported: "
                        + new java.util.TreeSet<>(TOP_LEVEL) + ")");
            }
        }
        MergePlan.Builder builder = MergePlan.builder();
        Object method = top.get("merge_method");
        if (!(method instanceof String name)) {
            throw new IllegalArgumentException("merge config needs merge_method");
        }
        builder.method(MergeMethod.fromConfigName(name));
        if (top.containsKey("base_model")) {
            builder.baseModel(modelPath(top.get("base_model"), baseDir, "base_model"));
        }
        Object models = top.get("models");
        if (!(models instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("merge config needs a non-empty models list");
        }
        for (int i = 0; i < list.size(); i++) {
            String where = "models[" + i + "]";
            Map<String, Object> entry = map(list.get(i), where);
            for (String key : entry.keySet()) {
                if (!MODEL_KEYS.contains(key)) {
                    throw new IllegalArgumentException(where + " key '" + key + "' is not supported (supported: "
                            + MODEL_KEYS + ")");
                }
            }
            Path path = modelPath(entry.get("model"), baseDir, where + ".model");
            builder.addModel(path, schedules(entry.get("parameters"), where + ".parameters", null));
        }
        Map<String, RatioSchedule> globals = schedules(top.get("parameters"), "parameters", builder);
        globals.forEach(builder::parameter);
        Object dtype = top.containsKey("out_dtype") ? top.get("out_dtype") : top.get("dtype");
        if (dtype != null) {
            String mapped = DTYPES.get(String.valueOf(dtype).toLowerCase(Locale.ROOT));
            if (mapped == null) {
                throw new IllegalArgumentException("dtype '" + dtype + "' is not supported (supported: "
                        + new java.util.TreeSet<>(DTYPES.keySet()) + ")");
            }
            builder.outputDtype(mapped);
        }
        if (top.containsKey("random_seed")) {
            builder.seed(integer(top.get("random_seed"), "random_seed"));
        }
        MergePlan plan;
        try {
            plan = builder.build();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("merge config: " + e.getMessage(), e);
        }
        ResolvedMerge.validateParameters(plan);
        return new MergeConfig(plan);
    }

    private static Path modelPath(Object value, Path baseDir, String where) {
        if (!(value instanceof String name) || name.isBlank()) {
            throw new IllegalArgumentException(where + " must be a path");
        }
        Path path = baseDir.resolve(name).normalize();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(where + " '" + name + "' does not exist (only local safetensors or"
                    + " ONNX paths are supported)");
        }
        if (!Files.isDirectory(path)) {
            ModelFiles.notARegularFile(path).ifPresent(reason -> {
                throw new IllegalArgumentException(where + " '" + name + "' " + reason);
            });
        }
        return path;
    }

    private static Map<String, RatioSchedule> schedules(Object value, String where, MergePlan.Builder forConsensus) {
        if (value == null) {
            return Map.of();
        }
        Map<String, RatioSchedule> result = new LinkedHashMap<>();
        map(value, where).forEach((name, raw) -> {
            if (name.equals("consensus_method") && forConsensus != null) {
                forConsensus.signConsensus(consensus(raw));
            } else {
                result.put(name, schedule(raw, where + "." + name));
            }
        });
        return result;
    }

    private static SignConsensus consensus(Object raw) {
        String text = String.valueOf(raw).toLowerCase(Locale.ROOT);
        return switch (text) {
            case "sum" -> SignConsensus.SUM;
            case "count" -> SignConsensus.COUNT;
            default -> throw new IllegalArgumentException("parameters.consensus_method must be sum or count, was "
                    + raw);
        };
    }

    /** One parameter value in any of the supported shapes. */
    static RatioSchedule schedule(Object raw, String where) {
        if (raw instanceof Number || raw instanceof Boolean) {
            return RatioSchedule.constant(number(raw, where));
        }
        if (raw instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map) {
            return filtered(list, where);
        }
        if (raw instanceof List<?> list && !list.isEmpty()) {
            List<Double> anchors = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                anchors.add(number(list.get(i), where + "[" + i + "]"));
            }
            return RatioSchedule.Gradient.ofAnchors(anchors);
        }
        if (raw instanceof Map<?, ?>) {
            return layerGroups(map(raw, where), where);
        }
        throw new IllegalArgumentException(where + " must be a number, a list of numbers, a filter list or"
                + " {groups: ...}, was " + raw);
    }

    /**
     * A filter list as mergekit reads it: in order, the first entry whose filter is a substring of the tensor name
     * wins, and an entry without a filter (or with {@code filter: "*"}) matches every tensor, so entries after it
     * are never reached (they are checked, then dropped with a warning).
     */
    private static RatioSchedule filtered(List<?> entries, String where) {
        List<RatioSchedule.NameFilter> filters = new ArrayList<>();
        RatioSchedule fallback = null;
        for (int i = 0; i < entries.size(); i++) {
            String at = where + "[" + i + "]";
            Map<String, Object> entry = map(entries.get(i), at);
            for (String key : entry.keySet()) {
                if (!key.equals("filter") && !key.equals("value")) {
                    throw new IllegalArgumentException(at + " key '" + key + "' is not supported (filter, value)");
                }
            }
            if (!entry.containsKey("value")) {
                throw new IllegalArgumentException(at + " needs a value");
            }
            RatioSchedule value = schedule(entry.get("value"), at + ".value");
            boolean catchAll = !entry.containsKey("filter") || "*".equals(String.valueOf(entry.get("filter")));
            if (fallback != null) {
                LOG.warn("{} is never used: an earlier entry of {} matches every tensor (entries match in order,"
                        + " as in mergekit)", at, where);
            } else if (catchAll) {
                fallback = value;
            } else {
                filters.add(new RatioSchedule.NameFilter(String.valueOf(entry.get("filter")), value));
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException(where + " needs an entry without a filter (or with filter '*') for"
                    + " the other tensors");
        }
        return new RatioSchedule.Filtered(filters, fallback);
    }

    private static RatioSchedule layerGroups(Map<String, Object> spec, String where) {
        for (String key : spec.keySet()) {
            if (!Set.of("groups", "rest", "outside_layers").contains(key)) {
                throw new IllegalArgumentException(where + " key '" + key
                        + "' is not supported (groups, rest, outside_layers)");
            }
        }
        if (!(spec.get("groups") instanceof List<?> groups)) {
            throw new IllegalArgumentException(where + " needs a groups list");
        }
        List<RatioSchedule.LayerGroup> result = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            String at = where + ".groups[" + i + "]";
            Map<String, Object> group = map(groups.get(i), at);
            if (!(group.get("layers") instanceof List<?> range) || range.size() != 2) {
                throw new IllegalArgumentException(at + ".layers must be [first, last]");
            }
            result.add(new RatioSchedule.LayerGroup(layer(range.get(0), at + ".layers[0]"),
                    layer(range.get(1), at + ".layers[1]"), number(group.get("value"), at + ".value")));
        }
        double rest = number(spec.get("rest"), where + ".rest");
        double outside = spec.containsKey("outside_layers") ? number(spec.get("outside_layers"),
                where + ".outside_layers") : rest;
        return new RatioSchedule.LayerGroups(result, rest, outside);
    }

    /**
     * A whole number as YAML gives it (Integer, Long or, past 64 bits, BigInteger); a fraction such as {@code 1.5}
     * is refused rather than cut to 1, which would silently merge with another seed or layer than the one written.
     */
    private static long integer(Object raw, String where) {
        if (raw instanceof Integer || raw instanceof Long) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof java.math.BigInteger big && big.bitLength() < Long.SIZE) {
            return big.longValue();
        }
        throw new IllegalArgumentException(where + " must be an integer (at most 64 bits), was " + raw);
    }

    private static int layer(Object raw, String where) {
        long value = integer(raw, where);
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + " must be a layer index (0 or more), was " + raw);
        }
        return (int) value;
    }

    private static double number(Object raw, String where) {
        if (raw instanceof Boolean flag) {
            return flag ? 1 : 0;
        }
        if (raw instanceof Number number) {
            MergeMath.requireFloat(number.doubleValue(), where);
            return number.doubleValue();
        }
        throw new IllegalArgumentException(where + " must be a number, was " + raw);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object raw, String where) {
        if (!(raw instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + " must be a mapping");
        }
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw new IllegalArgumentException(where + " has a non-string key " + key);
            }
        }
        return (Map<String, Object>) map;
    }

    /** The plan with an output set and optional sharding. */
    public MergePlan withOutput(Path output, long maxShardBytes) {
        MergePlan.Builder builder = MergePlan.builder().method(plan.method()).output(output)
                .maxShardBytes(maxShardBytes).seed(plan.seed()).signConsensus(plan.signConsensus());
        plan.baseModel().ifPresent(builder::baseModel);
        plan.models().forEach(m -> builder.addModel(m.path(), m.parameters()));
        plan.parameters().forEach(builder::parameter);
        plan.outputDtype().ifPresent(builder::outputDtype);
        return builder.build();
    }
}
