package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Plum's edit operations applied at random: {@code del} (the unit is remembered), {@code swap}, {@code sub} (a
 * paraphrase) and {@code add} (a remembered unit re-inserted; offered only when one exists, as in Plum). A line never
 * loses its last unit, and a candidate without a letter on a line is rejected and redrawn. Not thread-safe: used on
 * the run's thread, drawing from the run's random source.
 */
final class Mutator {

    private static final int ATTEMPTS = 20;
    private final SearchSettings settings;
    private final SearchRandom random;
    private final Consumer<Usage> usageSink;

    Mutator(SearchSettings settings, SearchRandom random, Consumer<Usage> usageSink) {
        this.settings = settings;
        this.random = random;
        this.usageSink = usageSink;
    }

    /** {@code count} mutants of {@code base} (fewer if no valid edit can be found). */
    List<Candidate> mutants(Candidate base, int count) {
        List<Candidate> mutants = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            mutate(base).ifPresent(mutants::add);
        }
        return mutants;
    }

    /** One mutant of {@code base}: {@code editsPerCandidate} random edits, differing from base and with letters. */
    Optional<Candidate> mutate(Candidate base) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Candidate current = base;
            List<String> edits = new ArrayList<>();
            for (int k = 0; k < settings.editsPerCandidate() && current != null; k++) {
                current = applyRandom(current).orElse(null);
                if (current != null) {
                    edits.add(current.edit());
                }
            }
            if (current != null && current.units().hasLetterOnEveryLine() && !current.prompt().equals(base.prompt())) {
                return Optional.of(Candidate.of(current.units(), current.deleted(), String.join("+", edits)));
            }
        }
        return Optional.empty();
    }

    /** Harmony search's pitch adjustment: one {@code sub} edit, if a paraphrase exists. */
    Optional<Candidate> substitute(Candidate base) {
        if (base.units().size() == 0) {
            return Optional.empty();
        }
        return sub(base);
    }

    private Optional<Candidate> applyRandom(Candidate base) {
        List<EditOperation> available = new ArrayList<>();
        for (EditOperation operation : EditOperation.values()) {
            if (settings.operations().contains(operation) && applicable(operation, base)) {
                available.add(operation);
            }
        }
        if (available.isEmpty()) {
            return Optional.empty();
        }
        EditOperation operation = available.get(random.nextInt(available.size()));
        return switch (operation) {
            case DEL -> del(base);
            case SWAP -> swap(base);
            case SUB -> sub(base);
            case ADD -> add(base);
        };
    }

    private static boolean applicable(EditOperation operation, Candidate base) {
        int size = base.units().size();
        return switch (operation) {
            case DEL -> !deletable(base.units()).isEmpty();
            case SWAP -> size >= 2;
            case SUB -> size >= 1;
            case ADD -> !base.deleted().isEmpty();
        };
    }

    private static List<Integer> deletable(EditUnits units) {
        List<Integer> indices = new ArrayList<>();
        int index = 0;
        for (List<String> line : units.lines()) {
            for (int i = 0; i < line.size(); i++, index++) {
                if (line.size() > 1) {
                    indices.add(index);
                }
            }
        }
        return indices;
    }

    private Optional<Candidate> del(Candidate base) {
        List<Integer> indices = deletable(base.units());
        int index = indices.get(random.nextInt(indices.size()));
        List<String> deleted = new ArrayList<>(base.deleted());
        deleted.add(base.units().unit(index));
        return Optional.of(Candidate.of(base.units().without(index), deleted, "del[" + index + "]"));
    }

    private Optional<Candidate> swap(Candidate base) {
        int size = base.units().size();
        int first = random.nextInt(size);
        int second = random.nextInt(size - 1);
        if (second >= first) {
            second++;
        }
        return Optional.of(Candidate.of(base.units().swapped(first, second), base.deleted(),
                "swap[" + Math.min(first, second) + "," + Math.max(first, second) + "]"));
    }

    private Optional<Candidate> sub(Candidate base) {
        int index = random.nextInt(base.units().size());
        Paraphraser.Paraphrases paraphrases = settings.paraphraser().paraphrase(base.units().unit(index));
        usageSink.accept(paraphrases.usage());
        List<String> alternatives = paraphrases.alternatives();
        if (alternatives.isEmpty()) {
            return Optional.empty();
        }
        String replacement = alternatives.get(random.nextInt(alternatives.size()));
        return Optional.of(Candidate.of(base.units().replaced(index, replacement), base.deleted(),
                "sub[" + index + "]"));
    }

    private Optional<Candidate> add(Candidate base) {
        List<String> deleted = new ArrayList<>(base.deleted());
        String unit = deleted.remove(random.nextInt(deleted.size()));
        EditUnits units = base.units();
        int line = random.nextInt(units.lines().size());
        int position = random.nextInt(units.lines().get(line).size() + 1);
        return Optional.of(Candidate.of(units.inserted(line, position, unit), deleted,
                "add[" + line + ":" + position + "]"));
    }
}
