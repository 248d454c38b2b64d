package dev.reasoningsdk.api.merge;

import java.util.List;
import java.util.Objects;

/**
 * A merge parameter that may vary across a model: one value everywhere, a gradient interpolated over depth
 * (mergekit's list form), explicit layer groups (HMA's split notation), or values per tensor-name filter.
 *
 * <p>Resolution for a tensor: the first matching {@link Filtered} entry wins; otherwise the tensor's layer index
 * selects from the gradient or groups; tensors in no layer (embeddings, final norm, output head) take
 * {@code outsideLayers}, except that a {@link Gradient} may give those after the last layer their own
 * {@code afterLayers}.
 */
public sealed interface RatioSchedule {

    /**
     * The layer index given for a tensor that follows the last layer (the final norm, the output head): mergekit
     * evaluates a gradient there at its end, where it evaluates one at its start for the tensors before the layers
     * (the embeddings), which get {@code -1}. Every schedule but {@link Gradient} treats it as {@code -1}.
     */
    int AFTER_LAYERS = -2;

    /**
     * The value for a tensor, given its name, its layer index ({@code -1} when it belongs to no layer,
     * {@link #AFTER_LAYERS} when it follows the last one) and the depth.
     */
    double valueFor(String tensorName, int layer, int layerCount);

    /** A single value everywhere. */
    static RatioSchedule constant(double value) {
        return new Constant(value);
    }

    /** One value everywhere. @param value the value */
    record Constant(double value) implements RatioSchedule {
        /** @throws IllegalArgumentException if not finite */
        public Constant {
            requireFinite(value);
        }

        @Override
        public double valueFor(String tensorName, int layer, int layerCount) {
            return value;
        }
    }

    /**
     * mergekit's gradient: anchor values spread evenly over the layers and linearly interpolated in between (a model
     * of one layer takes the last anchor, as in mergekit).
     *
     * @param anchors       at least one value; one anchor is a constant
     * @param outsideLayers the value for tensors that belong to no layer and do not follow the last one (mergekit:
     *                      the first anchor)
     * @param afterLayers   the value for tensors that follow the last layer, given {@link #AFTER_LAYERS} (mergekit:
     *                      the last anchor)
     */
    record Gradient(List<Double> anchors, double outsideLayers, double afterLayers) implements RatioSchedule {
        /** @throws IllegalArgumentException if empty or a value is not finite */
        public Gradient {
            anchors = List.copyOf(anchors);
            if (anchors.isEmpty()) {
                throw new IllegalArgumentException("a gradient needs at least one value");
            }
            anchors.forEach(RatioSchedule::requireFinite);
            requireFinite(outsideLayers);
            requireFinite(afterLayers);
        }

        /**
         * A gradient with one value for every tensor outside the layers, before or after them.
         *
         * @throws IllegalArgumentException if empty or a value is not finite
         */
        public Gradient(List<Double> anchors, double outsideLayers) {
            this(anchors, outsideLayers, outsideLayers);
        }

        /**
         * mergekit's reading of a gradient: the first anchor before the layers, the last after them.
         *
         * @throws IllegalArgumentException if empty or a value is not finite
         */
        public static Gradient ofAnchors(List<Double> anchors) {
            if (anchors.isEmpty()) {
                throw new IllegalArgumentException("a gradient needs at least one value");
            }
            return new Gradient(anchors, anchors.get(0), anchors.get(anchors.size() - 1));
        }

        @Override
        public double valueFor(String tensorName, int layer, int layerCount) {
            if (layer == AFTER_LAYERS) {
                return afterLayers;
            }
            if (layer < 0) {
                return outsideLayers;
            }
            if (anchors.size() == 1 || layerCount <= 1) {
                return anchors.get(anchors.size() - 1);
            }
            double position = (double) layer / (layerCount - 1) * (anchors.size() - 1);
            int lower = (int) Math.floor(position);
            int upper = Math.min(lower + 1, anchors.size() - 1);
            double fraction = position - lower;
            return anchors.get(lower) * (1 - fraction) + anchors.get(upper) * fraction;
        }
    }

    /**
     * Explicit layer groups, HMA's split notation: {@code [(0..10, 0.4), (11..20, 0.3)]} plus a value for the rest.
     *
     * @param groups        disjoint inclusive layer ranges with their values
     * @param rest          the value for layers in no group
     * @param outsideLayers the value for tensors that belong to no layer
     */
    record LayerGroups(List<LayerGroup> groups, double rest, double outsideLayers) implements RatioSchedule {
        /** @throws IllegalArgumentException if two groups overlap or a value is not finite */
        public LayerGroups {
            groups = List.copyOf(groups);
            for (int i = 0; i < groups.size(); i++) {
                for (int j = i + 1; j < groups.size(); j++) {
                    LayerGroup a = groups.get(i);
                    LayerGroup b = groups.get(j);
                    if (a.firstLayer() <= b.lastLayer() && b.firstLayer() <= a.lastLayer()) {
                        throw new IllegalArgumentException("layer groups overlap: " + a + " and " + b);
                    }
                }
            }
            requireFinite(rest);
            requireFinite(outsideLayers);
        }

        @Override
        public double valueFor(String tensorName, int layer, int layerCount) {
            if (layer < 0) {
                return outsideLayers;
            }
            for (LayerGroup group : groups) {
                if (layer >= group.firstLayer() && layer <= group.lastLayer()) {
                    return group.value();
                }
            }
            return rest;
        }
    }

    /**
     * An inclusive range of layers with one value.
     *
     * @param firstLayer first layer, inclusive
     * @param lastLayer  last layer, inclusive
     * @param value      the value
     */
    record LayerGroup(int firstLayer, int lastLayer, double value) {
        /** @throws IllegalArgumentException if the range is empty or negative, or the value not finite */
        public LayerGroup {
            if (firstLayer < 0 || lastLayer < firstLayer) {
                throw new IllegalArgumentException("bad layer range " + firstLayer + ".." + lastLayer);
            }
            requireFinite(value);
        }
    }

    /**
     * Values per tensor-name filter (mergekit's {@code filter}: a substring of the tensor name), falling back to
     * another schedule.
     *
     * @param filters  (substring, value) pairs, first match wins
     * @param fallback the schedule for tensors no filter matches
     */
    record Filtered(List<NameFilter> filters, RatioSchedule fallback) implements RatioSchedule {
        /** @throws NullPointerException if an argument is null */
        public Filtered {
            filters = List.copyOf(filters);
            Objects.requireNonNull(fallback, "fallback");
        }

        @Override
        public double valueFor(String tensorName, int layer, int layerCount) {
            for (NameFilter filter : filters) {
                if (tensorName.contains(filter.substring())) {
                    return filter.value().valueFor(tensorName, layer, layerCount);
                }
            }
            return fallback.valueFor(tensorName, layer, layerCount);
        }
    }

    /**
     * A tensor-name filter and the schedule for tensors whose name contains it.
     *
     * @param substring matched against tensor names
     * @param value     the schedule for matching tensors
     */
    record NameFilter(String substring, RatioSchedule value) {
        /** @throws IllegalArgumentException if the substring is empty */
        public NameFilter {
            Objects.requireNonNull(substring, "substring");
            if (substring.isEmpty()) {
                throw new IllegalArgumentException("filter substring is empty");
            }
            Objects.requireNonNull(value, "value");
        }
    }

    private static void requireFinite(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value must be finite, was " + value);
        }
    }
}
