package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.Usage;
import java.util.List;
import java.util.Objects;

/**
 * Proposes replacements for one edit unit: the source of prompt search's {@code sub} edit. Plum paraphrases with a
 * model (PEGASUS); here {@link ChatModelParaphraser} asks any LangChain4j chat model and
 * {@code WordNetParaphraser} swaps words for WordNet synonyms offline. Implementations are thread-safe and should
 * return the same list for the same unit, so that a seeded search is reproducible.
 */
@FunctionalInterface
public interface Paraphraser {

    /** Alternatives to {@code unit} (possibly none), and what finding them cost. */
    Paraphrases paraphrase(String unit);

    /**
     * The offline paraphraser installed on the class path ({@code reasoning-sdk-wordnet} registers WordNet through
     * {@link java.util.ServiceLoader}), or {@link #none()} when there is none. Looked up once, on first use: every
     * search builder asks for it, and the class path does not change.
     */
    static Paraphraser installed() {
        return InstalledParaphraser.INSTANCE;
    }

    /** A paraphraser that never proposes anything: {@code sub} edits are then never made. */
    static Paraphraser none() {
        return unit -> new Paraphrases(List.of(), Usage.NONE);
    }

    /**
     * Alternatives for one unit.
     *
     * @param alternatives replacements, in a stable order, none equal to the unit
     * @param usage        model calls spent finding them ({@link Usage#NONE} for lexical lookups and cache hits)
     */
    record Paraphrases(List<String> alternatives, Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public Paraphrases {
            alternatives = List.copyOf(alternatives);
            Objects.requireNonNull(usage, "usage");
        }
    }
}
