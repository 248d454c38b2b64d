package dev.reasoningsdk.impl.prompt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Harmony search over prompts (Plum, Pan et al., 2024, "HS"; Geem et al., 2001). The harmony memory starts as the
 * initial prompt and keeps the {@value #DEFAULT_MEMORY} best prompts. Each step improvises {@code candidatesPerStep}
 * new prompts: every line is cut into {@value #DEFAULT_SEGMENTS} segments, and segment {@code j} comes from a prompt
 * drawn from memory; with probability HMCR ({@value #DEFAULT_HMCR}) the segment is taken from memory, then
 * pitch-adjusted (one {@code sub} edit) with probability PAR ({@value #DEFAULT_PAR}); otherwise it is replaced by a
 * random edit of itself. New prompts and memory compete for the memory's places. Other defaults:
 * {@link SearchSettings#defaults()}.
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

    private HarmonySearch(SearchSettings settings, int memory, int segments, double hmcr, double par) {
        super(settings);
        this.memory = memory;
        this.segments = segments;
        this.hmcr = hmcr;
        this.par = par;
    }

    /** Harmony search with Plum's defaults. */
    public static HarmonySearch withDefaults() {
        return of(SearchSettings.defaults());
    }

    /** Harmony search with {@code settings}: memory 10, 5 segments, HMCR 0.4, PAR 0.5. */
    public static HarmonySearch of(SearchSettings settings) {
        return of(settings, DEFAULT_MEMORY, DEFAULT_SEGMENTS, DEFAULT_HMCR, DEFAULT_PAR);
    }

    /**
     * Harmony search with the given parameters.
     *
     * @throws IllegalArgumentException if memory or segments is below 1, or a rate is outside [0, 1]
     */
    public static HarmonySearch of(SearchSettings settings, int memory, int segments, double hmcr, double par) {
        Objects.requireNonNull(settings, "settings");
        if (memory < 1 || segments < 1 || !(hmcr >= 0 && hmcr <= 1) || !(par >= 0 && par <= 1)) {
            throw new IllegalArgumentException("need memory, segments >= 1 and HMCR, PAR in [0, 1]");
        }
        return new HarmonySearch(settings, memory, segments, hmcr, par);
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
}
