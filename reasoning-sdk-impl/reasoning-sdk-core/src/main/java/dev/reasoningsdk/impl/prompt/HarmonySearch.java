package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.Arguments;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Harmony search over prompts (Plum, Pan et al., 2024, "HS"; Geem et al., 2001). The harmony memory starts as the
 * initial prompt and keeps the {@value #DEFAULT_MEMORY} best prompts. Each step improvises {@code candidatesPerStep}
 * new prompts: every line is cut into {@value #DEFAULT_SEGMENTS} segments, and segment {@code j} comes from a prompt
 * drawn from memory; with probability HMCR ({@value #DEFAULT_HMCR}) the segment is taken from memory, then
 * pitch-adjusted (one {@code sub} edit) with probability PAR ({@value #DEFAULT_PAR}); otherwise it is replaced by a
 * random edit of itself. New prompts and memory compete for the memory's places. Other defaults:
 * {@link SearchSettings#create()}.
 */
public final class HarmonySearch extends MetaheuristicOptimizer {

    /** Harmony memory size. */
    public static final int DEFAULT_MEMORY = 10;
    /** Segments per line. */
    public static final int DEFAULT_SEGMENTS = 5;
    /** Harmony memory considering rate. */
    public static final double DEFAULT_HMCR = 0.4;
    /** Pitch adjusting rate. */
    public static final double DEFAULT_PAR = 0.5;
    private final int memory;
    private final int segments;
    private final double hmcr;
    private final double par;

    private HarmonySearch(Builder builder) {
        super(builder.settings);
        this.memory = builder.memory;
        this.segments = builder.segments;
        this.hmcr = builder.hmcr;
        this.par = builder.par;
    }

    /** Harmony search with Plum's defaults. */
    public static HarmonySearch create() {
        return builder().build();
    }

    /** A builder with Plum's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "harmony-search";
    }

    @Override
    void search(SearchRun run, Candidate.Scored initial) {
        List<Candidate.Scored> harmonies = List.of(initial);
        while (!run.stopped()) {
            List<Candidate> improvised = new ArrayList<>();
            for (int c = 0; c < run.settings().candidatesPerStep(); c++) {
                Candidate harmony = improvise(harmonies, run);
                if (harmony != null) {
                    improvised.add(harmony);
                }
            }
            harmonies = survivors(harmonies, run.evaluate(improvised), memory, run);
            run.endIteration();
        }
    }

    private Candidate improvise(List<Candidate.Scored> harmonies, SearchRun run) {
        SearchRandom random = run.random();
        List<EditUnits> parts = new ArrayList<>(segments);
        Set<String> deleted = new LinkedHashSet<>();
        List<String> edits = new ArrayList<>();
        for (int j = 0; j < segments; j++) {
            Candidate source = harmonies.get(random.nextInt(harmonies.size())).candidate();
            Candidate segment = Candidate.of(source.units().segment(j, segments), source.deleted(), "");
            Candidate chosen = segment;
            if (random.chance(hmcr)) {
                if (random.chance(par)) {
                    chosen = run.mutator().substitute(segment).orElse(segment);
                }
            } else if (segment.units().size() > 0) {
                chosen = run.mutator().mutate(segment).orElse(segment);
            }
            if (!chosen.edit().isEmpty()) {
                edits.add(j + ":" + chosen.edit());
            }
            parts.add(chosen.units());
            deleted.addAll(chosen.deleted());
        }
        EditUnits units = EditUnits.concat(parts);
        if (!units.hasLetterOnEveryLine()) {
            return null;
        }
        return Candidate.of(units, new ArrayList<>(deleted), "harmony" + edits);
    }

    /** Builds {@link HarmonySearch}; every setting is optional. Not thread-safe. */
    public static final class Builder extends MetaheuristicOptimizer.Builder<Builder> {
        private int memory = DEFAULT_MEMORY;
        private int segments = DEFAULT_SEGMENTS;
        private double hmcr = DEFAULT_HMCR;
        private double par = DEFAULT_PAR;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * The harmony memory size (default {@value #DEFAULT_MEMORY}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder memory(int memory) {
            this.memory = Arguments.atLeast(memory, 1, "memory");
            return this;
        }

        /**
         * Segments each line is cut into (default {@value #DEFAULT_SEGMENTS}).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder segments(int segments) {
            this.segments = Arguments.atLeast(segments, 1, "segments");
            return this;
        }

        /**
         * HMCR, the probability that a segment is taken from memory (default {@value #DEFAULT_HMCR}).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder hmcr(double hmcr) {
            this.hmcr = Arguments.probability(hmcr, "hmcr");
            return this;
        }

        /**
         * PAR, the probability that a segment taken from memory is pitch-adjusted (default {@value #DEFAULT_PAR}).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder par(double par) {
            this.par = Arguments.probability(par, "par");
            return this;
        }

        @Override
        public HarmonySearch build() {
            return new HarmonySearch(this);
        }
    }
}
