package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.api.merge.SignConsensus;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.LayerIndex;
import dev.reasoningsdk.impl.merge.internal.TensorInfo;
import dev.reasoningsdk.impl.merge.internal.TensorSource;
import dev.reasoningsdk.impl.merge.internal.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link MergePlan} resolved once against its opened inputs: the sources in kernel order (base first for methods
 * that have one), and per tensor of the reference its shape and dtypes, the dtype it is written in and the method's
 * parameters for it ({@link KernelSpec}, null for a tensor copied from the reference). Everything a merge decides from
 * the plan is decided here; the chunk pipeline only runs it.
 *
 * @param plan      the plan
 * @param sources   the opened inputs in kernel order; index 0 is the reference whose tensor order is kept
 * @param weighted  the plan's model inputs that carry per-model parameters, in kernel order after the base
 * @param tensors   every tensor of the reference, in stored order
 * @param infos     per source, its tensors by name (a chunk is read with each input's own dtype and offsets)
 */
record ResolvedMerge(MergePlan plan, List<TensorSource> sources, List<MergePlan.ModelInput> weighted,
                     List<ResolvedTensor> tensors, List<Map<String, TensorInfo>> infos) {

    private static final Map<MergeMethod, Set<String>> MODEL_PARAMETERS = Map.of(
            MergeMethod.LINEAR, Set.of("weight"),
            MergeMethod.TASK_ARITHMETIC, Set.of("weight"),
            MergeMethod.TIES, Set.of("weight", "density"),
            MergeMethod.DARE_LINEAR, Set.of("weight", "density"),
            MergeMethod.DARE_TIES, Set.of("weight", "density"),
            MergeMethod.SLERP, Set.of(),
            MergeMethod.MODEL_STOCK, Set.of());
    private static final Map<MergeMethod, Set<String>> GLOBAL_PARAMETERS = Map.of(
            MergeMethod.LINEAR, Set.of("normalize"),
            MergeMethod.TASK_ARITHMETIC, Set.of("normalize", "lambda"),
            MergeMethod.TIES, Set.of("normalize", "lambda", "rescale"),
            MergeMethod.DARE_LINEAR, Set.of("normalize", "lambda", "rescale"),
            MergeMethod.DARE_TIES, Set.of("normalize", "lambda", "rescale"),
            MergeMethod.SLERP, Set.of("t"),
            MergeMethod.MODEL_STOCK, Set.of());

    /**
     * One tensor of the merge.
     *
     * @param tensor the reference's tensor (name, dtype, shape)
     * @param output the dtype it is written in
     * @param kernel the method's parameters for it, or null when it is copied from the reference (not floating)
     */
    record ResolvedTensor(TensorInfo tensor, Dtype output, KernelSpec kernel) {
        String name() {
            return tensor.name();
        }
    }

    /** The parameters of one tensor's merge, from which a fresh kernel (which holds pass state) is made. */
    sealed interface KernelSpec {
        TensorKernel newKernel();
    }

    /** {@code linear}. */
    record Linear(double[] weights, boolean normalize, String tensor) implements KernelSpec {
        @Override
        public TensorKernel newKernel() {
            return new LinearKernel(weights, normalize, tensor);
        }
    }

    /** {@code slerp}. */
    record Slerp(double t) implements KernelSpec {
        @Override
        public TensorKernel newKernel() {
            return new SlerpKernel(t);
        }
    }

    /** {@code model_stock}. */
    record ModelStock(int models) implements KernelSpec {
        @Override
        public TensorKernel newKernel() {
            return new ModelStockKernel(models);
        }
    }

    /** {@code task_arithmetic}, {@code ties}, {@code dare_linear}, {@code dare_ties}. */
    record TaskArithmetic(double[] weights, double[] densities, TaskArithmeticKernel.Sparsification sparsification,
                          SignConsensus consensus, boolean normalize, boolean rescale, double lambda,
                          long[] streamKeys, long elements, String tensor) implements KernelSpec {
        @Override
        public TensorKernel newKernel() {
            return new TaskArithmeticKernel(weights, densities, sparsification, consensus, normalize, rescale, lambda,
                    streamKeys, elements, tensor);
        }
    }

    /**
     * Resolves {@code plan} against its opened inputs: orders them, checks they hold the same tensors with the same
     * shapes, and resolves every parameter for every floating tensor.
     *
     * @throws MergeException           if an input lacks a tensor of the reference, has one more, or one with
     *                                  another shape, a floating dtype where the reference's is not (or the
     *                                  reverse), or another dtype for a tensor that is copied (integer, bool)
     * @throws IllegalArgumentException if a parameter the method needs is missing for a tensor
     */
    static ResolvedMerge resolve(MergePlan plan, Map<Path, ? extends TensorSource> opened) {
        List<TensorSource> sources = new ArrayList<>();
        List<MergePlan.ModelInput> weighted = new ArrayList<>();
        if (plan.method() == MergeMethod.LINEAR) {
            for (MergePlan.ModelInput model : plan.models()) {
                sources.add(opened.get(model.path()));
                weighted.add(model);
            }
        } else {
            List<Path> order = plan.distinctInputs();
            for (Path path : order) {
                sources.add(opened.get(path));
            }
            for (Path path : order.subList(1, order.size())) {
                weighted.add(plan.models().stream().filter(m -> m.path().equals(path)).findFirst()
                        .orElseThrow());
            }
        }
        checkCompatible(sources);
        List<Map<String, TensorInfo>> infos = new ArrayList<>();
        for (TensorSource source : sources) {
            Map<String, TensorInfo> byName = new LinkedHashMap<>();
            source.tensors().forEach(tensor -> byName.put(tensor.name(), tensor));
            infos.add(byName);
        }
        List<TensorInfo> reference = sources.get(0).tensors();
        int layerCount = LayerIndex.count(reference.stream().map(TensorInfo::name).toList());
        List<ResolvedTensor> tensors = new ArrayList<>();
        for (TensorInfo tensor : reference) {
            if (tensor.dtype().mergeable() && tensor.name().startsWith(EXPORTER_NAME)) {
                requireAddressable(plan, weighted, tensor.name(), sources.get(0).label());
            }
            KernelSpec kernel = tensor.dtype().mergeable()
                    ? kernelSpec(plan, weighted, tensor.name(), LayerIndex.forSchedule(tensor.name()), layerCount,
                            tensor.elementCount())
                    : null;
            tensors.add(new ResolvedTensor(tensor, outputDtype(plan, tensor), kernel));
        }
        return new ResolvedMerge(plan, List.copyOf(sources), List.copyOf(weighted), List.copyOf(tensors),
                List.copyOf(infos));
    }

    /**
     * The prefix of initializer names the PyTorch ONNX exporter makes up (e.g. {@code onnx::MatMul_871} for a
     * transposed linear weight), which carry neither the layer nor the module.
     */
    private static final String EXPORTER_NAME = "onnx::";

    /**
     * Refuses a parameter that varies by layer or tensor name for an initializer whose exporter-made name carries
     * neither: a gradient or layer groups would give it the value for tensors outside the layers, and a filter list
     * that matches none of its filters the value meant for the other tensors, so most weights of an exported model
     * would be merged with a ratio nobody chose, silently. A filter naming the initializer is honoured.
     *
     * @throws IllegalArgumentException naming the initializer, the file and the parameter
     */
    private static void requireAddressable(MergePlan plan, List<MergePlan.ModelInput> weighted, String tensor,
                                           String file) {
        Map<String, RatioSchedule> schedules = new LinkedHashMap<>();
        plan.parameters().forEach((name, schedule) -> schedules.put("parameter '" + name + "'", schedule));
        for (MergePlan.ModelInput model : weighted) {
            model.parameters().forEach((name, schedule) -> schedules.put("parameter '" + name + "' of model "
                    + model.path(), schedule));
        }
        schedules.forEach((where, schedule) -> {
            RatioSchedule resolved = schedule;
            while (resolved instanceof RatioSchedule.Filtered filtered) {
                RatioSchedule.Filtered current = filtered;
                resolved = current.filters().stream().filter(f -> tensor.contains(f.substring())).findFirst()
                        .map(RatioSchedule.NameFilter::value).orElse(null);
                if (resolved == null) {
                    throw unaddressable(tensor, file, where, "is a filter list none of whose filters matches it, so"
                            + " it would take the value meant for the other tensors");
                }
            }
            if (!(resolved instanceof RatioSchedule.Constant)) {
                throw unaddressable(tensor, file, where, "varies by layer, so it would take the value for tensors"
                        + " outside the layers");
            }
        });
    }

    private static IllegalArgumentException unaddressable(String tensor, String file, String where, String why) {
        return new IllegalArgumentException(file + ": initializer '" + tensor + "' has a name the ONNX exporter made"
                + " up, with no layer or module in it, but " + where + " " + why + "; give the parameter one value,"
                + " add a filter entry that names this initializer, or merge the safetensors checkpoints");
    }

    /** The reference input, whose tensor order, metadata and non-floating tensors the output takes. */
    TensorSource reference() {
        return sources.get(0);
    }

    /** What the output holds: every tensor of the reference, in its order, with its output dtype. */
    List<TensorSpec> outputSpecs() {
        return tensors.stream().map(t -> new TensorSpec(t.name(), t.output(), t.tensor().shape())).toList();
    }

    /** The widest element of any input tensor, in bytes: what a chunk's read buffers are sized for. */
    int maxElementBytes() {
        int max = 1;
        for (Map<String, TensorInfo> byName : infos) {
            for (TensorInfo tensor : byName.values()) {
                max = Math.max(max, tensor.dtype().byteSize());
            }
        }
        return max;
    }

    /**
     * Makes the kernel of every merged tensor once and drops it, so a parameter that does not suit some tensor
     * (weights summing to zero, a density that keeps nothing) is refused before any output exists.
     */
    void checkKernels() {
        for (ResolvedTensor tensor : tensors) {
            if (tensor.kernel() != null) {
                tensor.kernel().newKernel();
            }
        }
    }

    private static Dtype outputDtype(MergePlan plan, TensorInfo tensor) {
        if (!tensor.dtype().mergeable()) {
            return tensor.dtype();
        }
        return plan.outputDtype().map(Dtype::valueOf).orElse(tensor.dtype());
    }

    private static void checkCompatible(List<TensorSource> sources) {
        TensorSource reference = sources.get(0);
        for (TensorSource other : sources.subList(1, sources.size())) {
            Map<String, TensorInfo> byName = new LinkedHashMap<>();
            other.tensors().forEach(t -> byName.put(t.name(), t));
            for (TensorInfo tensor : reference.tensors()) {
                TensorInfo match = byName.remove(tensor.name());
                if (match == null) {
                    throw new MergeException(other.label() + ": tensor '" + tensor.name() + "' of "
                            + reference.label() + " is missing");
                }
                if (!match.shape().equals(tensor.shape())) {
                    throw new MergeException(other.label() + ": tensor '" + tensor.name() + "' has shape "
                            + match.shape() + " but " + reference.label() + " has " + tensor.shape());
                }
                // Floating tensors of different widths merge (each is read in its own dtype); a tensor that is
                // copied must have the same dtype everywhere, or the models are not the same architecture and the
                // copy would silently drop the other model's values in another type.
                if (match.dtype().mergeable() != tensor.dtype().mergeable()
                        || !tensor.dtype().mergeable() && match.dtype() != tensor.dtype()) {
                    throw new MergeException(other.label() + ": tensor '" + tensor.name() + "' is " + match.dtype()
                            + " but " + reference.label() + " has " + tensor.dtype());
                }
            }
            if (!byName.isEmpty()) {
                throw new MergeException(other.label() + ": tensor '" + byName.keySet().iterator().next()
                        + "' is not in " + reference.label());
            }
        }
    }

    private static KernelSpec kernelSpec(MergePlan plan, List<MergePlan.ModelInput> weighted, String tensor,
                                         int layer, int layerCount, long elements) {
        Resolver resolve = new Resolver(plan, tensor, layer, layerCount);
        MergeMethod method = plan.method();
        switch (method) {
            case LINEAR:
                return new Linear(resolve.perModel(weighted, "weight"), resolve.flag("normalize", true), tensor);
            case SLERP:
                return new Slerp(resolve.global("t", Double.NaN));
            case MODEL_STOCK:
                return new ModelStock(weighted.size());
            default:
                break;
        }
        boolean dare = method == MergeMethod.DARE_LINEAR || method == MergeMethod.DARE_TIES;
        boolean ties = method == MergeMethod.TIES || method == MergeMethod.DARE_TIES;
        TaskArithmeticKernel.Sparsification sparsification = method == MergeMethod.TASK_ARITHMETIC
                ? TaskArithmeticKernel.Sparsification.NONE
                : dare ? TaskArithmeticKernel.Sparsification.RANDOM : TaskArithmeticKernel.Sparsification.MAGNITUDE;
        double[] densities = method == MergeMethod.TASK_ARITHMETIC
                ? filled(weighted.size(), 1.0) : resolve.perModel(weighted, "density", 1.0);
        long[] keys = new long[weighted.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = MergeMath.streamKey(plan.seed(), tensor, i);
        }
        return new TaskArithmetic(resolve.perModel(weighted, "weight"), densities, sparsification,
                ties ? plan.signConsensus() : null, resolve.flag("normalize", method == MergeMethod.TIES),
                resolve.flag("rescale", dare), resolve.global("lambda", 1.0), keys, elements, tensor);
    }

    private static double[] filled(int size, double value) {
        double[] result = new double[size];
        Arrays.fill(result, value);
        return result;
    }

    /** Resolves parameters for one tensor: per model, falling back to the global value of the same name. */
    private record Resolver(MergePlan plan, String tensor, int layer, int layerCount) {

        double[] perModel(List<MergePlan.ModelInput> models, String name) {
            return perModel(models, name, Double.NaN);
        }

        double[] perModel(List<MergePlan.ModelInput> models, String name, double fallback) {
            double[] values = new double[models.size()];
            for (int i = 0; i < values.length; i++) {
                RatioSchedule schedule = models.get(i).parameters().get(name);
                if (schedule == null) {
                    schedule = plan.parameters().get(name);
                }
                if (schedule == null && Double.isNaN(fallback)) {
                    throw new IllegalArgumentException(plan.method().configName() + " needs parameter '" + name
                            + "' for model " + models.get(i).path());
                }
                values[i] = schedule == null ? fallback : schedule.valueFor(tensor, layer, layerCount);
            }
            return values;
        }

        double global(String name, double fallback) {
            RatioSchedule schedule = plan.parameters().get(name);
            if (schedule == null && Double.isNaN(fallback)) {
                throw new IllegalArgumentException(plan.method().configName() + " needs parameter '" + name + "'");
            }
            return schedule == null ? fallback : schedule.valueFor(tensor, layer, layerCount);
        }

        boolean flag(String name, boolean fallback) {
            return global(name, fallback ? 1 : 0) != 0;
        }
    }

    /**
     * Checks every parameter of the plan is one its method uses, and that every value it can take is finite in
     * float. Needs no input opened.
     *
     * @throws IllegalArgumentException naming the first parameter the method does not use or that leaves float range
     */
    static void validateParameters(MergePlan plan) {
        MergeMethod method = plan.method();
        Set<String> modelKnown = MODEL_PARAMETERS.get(method);
        Set<String> globalKnown = GLOBAL_PARAMETERS.get(method);
        for (MergePlan.ModelInput model : plan.models()) {
            for (String name : model.parameters().keySet()) {
                if (!modelKnown.contains(name)) {
                    throw new IllegalArgumentException("parameter '" + name + "' of model " + model.path()
                            + " is not used by " + method.configName() + " (per-model parameters: " + modelKnown
                            + ")");
                }
            }
        }
        for (String name : plan.parameters().keySet()) {
            if (!globalKnown.contains(name) && !modelKnown.contains(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' is not used by " + method.configName()
                        + " (parameters: " + globalKnown + ", per model: " + modelKnown + ")");
            }
        }
        for (MergePlan.ModelInput model : plan.models()) {
            model.parameters().forEach((name, schedule) -> requireFloatRange(schedule,
                    "parameter '" + name + "' of model " + model.path()));
        }
        plan.parameters().forEach((name, schedule) -> requireFloatRange(schedule, "parameter '" + name + "'"));
    }

    /** Every value a schedule can take must be finite in float, which the kernels compute in. */
    private static void requireFloatRange(RatioSchedule schedule, String where) {
        if (schedule instanceof RatioSchedule.Constant constant) {
            MergeMath.requireFloat(constant.value(), where);
        } else if (schedule instanceof RatioSchedule.Gradient gradient) {
            gradient.anchors().forEach(value -> MergeMath.requireFloat(value, where));
            MergeMath.requireFloat(gradient.outsideLayers(), where);
            MergeMath.requireFloat(gradient.afterLayers(), where);
        } else if (schedule instanceof RatioSchedule.LayerGroups groups) {
            groups.groups().forEach(group -> MergeMath.requireFloat(group.value(), where));
            MergeMath.requireFloat(groups.rest(), where);
            MergeMath.requireFloat(groups.outsideLayers(), where);
        } else if (schedule instanceof RatioSchedule.Filtered filtered) {
            filtered.filters().forEach(filter -> requireFloatRange(filter.value(), where));
            requireFloatRange(filtered.fallback(), where);
        }
    }
}
