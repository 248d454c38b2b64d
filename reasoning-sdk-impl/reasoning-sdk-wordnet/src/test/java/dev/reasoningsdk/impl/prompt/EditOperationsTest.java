package dev.reasoningsdk.impl.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.wordnet.WordNetParaphraser;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EditOperationsTest {

    private static final Paraphraser UPPER = unit -> new Paraphraser.Paraphrases(List.of(unit.toUpperCase()),
            Usage.NONE);

    @Test
    void phraseSplitterCutsAtPunctuationConjunctionsAndPrepositions() {
        assertThat(EditUnitSplitter.phrases().split("Answer the question about facts, and explain why in one line."))
                .containsExactly("Answer the question", "about facts,", "and explain why", "in one line.");
        assertThat(EditUnitSplitter.phrases().split("   ")).isEmpty();
    }

    @Test
    void wordAndSentenceSplitters() {
        assertThat(EditUnitSplitter.words().split("  two  words ")).containsExactly("two", "words");
        assertThat(EditUnitSplitter.sentences().split("One. Two!  Three?")).containsExactly("One.", "Two!", "Three?");
    }

    @Test
    void editUnitsKeepLinesAndSegmentsPartitionEachLine() {
        EditUnits units = new EditUnits(List.of(List.of("a", "b", "c"), List.of("d", "e")));
        assertThat(units.text()).isEqualTo("a b c\nd e");
        assertThat(units.swapped(0, 4).text()).isEqualTo("e b c\nd a");
        assertThat(units.without(3).text()).isEqualTo("a b c\ne");
        assertThat(units.inserted(1, 2, "x").text()).isEqualTo("a b c\nd e x");
        List<EditUnits> parts = new ArrayList<>();
        for (int j = 0; j < 5; j++) {
            parts.add(units.segment(j, 5));
        }
        assertThat(EditUnits.concat(parts)).isEqualTo(units);
    }

    @Test
    void deletedUnitsAreRememberedAndReAdded() {
        SearchSettings settings = SearchSettings.builder().operations(EnumSet.of(EditOperation.DEL,
                EditOperation.ADD)).paraphraser(UPPER).build();
        Mutator mutator = new Mutator(settings, new SearchRandom(1), usage -> { });
        Candidate base = Candidate.initial("alpha, beta, gamma.", settings.splitter());
        Candidate deleted = mutator.mutate(base).orElseThrow();
        assertThat(deleted.edit()).startsWith("del");
        assertThat(deleted.deleted()).hasSize(1);
        assertThat(deleted.units().size()).isEqualTo(2);
        // With one deletion remembered, ADD becomes available; some draws re-insert it.
        boolean readded = false;
        for (int i = 0; i < 20 && !readded; i++) {
            Candidate next = mutator.mutate(deleted).orElseThrow();
            readded = next.edit().startsWith("add");
            if (readded) {
                assertThat(next.deleted()).isEmpty();
                assertThat(next.units().size()).isEqualTo(3);
            }
        }
        assertThat(readded).isTrue();
    }

    @Test
    void substitutionUsesTheParaphraserAndSwapExchangesUnits() {
        SearchSettings subOnly = SearchSettings.builder().operations(EnumSet.of(EditOperation.SUB))
                .paraphraser(UPPER).build();
        Candidate base = Candidate.initial("keep it short, please", subOnly.splitter());
        Candidate sub = new Mutator(subOnly, new SearchRandom(3), usage -> { }).mutate(base).orElseThrow();
        assertThat(sub.prompt()).isIn("KEEP IT SHORT, please", "keep it short, PLEASE");
        SearchSettings swapOnly = SearchSettings.builder().operations(EnumSet.of(EditOperation.SWAP)).build();
        Candidate swap = new Mutator(swapOnly, new SearchRandom(3), usage -> { }).mutate(base).orElseThrow();
        assertThat(swap.prompt()).isEqualTo("please keep it short,");
    }

    @Test
    void candidatesWithoutLettersAreRejected() {
        SearchSettings settings = SearchSettings.builder().operations(EnumSet.of(EditOperation.DEL))
                .splitter(EditUnitSplitter.words()).build();
        Candidate base = Candidate.initial("word 123", settings.splitter());
        Optional<Candidate> mutant = new Mutator(settings, new SearchRandom(7), usage -> { }).mutate(base);
        // Deleting "word" would leave only digits; deleting "123" is the only valid edit.
        assertThat(mutant).map(Candidate::prompt).contains("word");
    }

    @Test
    void aLineNeverLosesItsLastUnit() {
        SearchSettings settings = SearchSettings.builder().operations(EnumSet.of(EditOperation.DEL)).build();
        Candidate base = Candidate.initial("first line\nsecond", settings.splitter());
        assertThat(new Mutator(settings, new SearchRandom(5), usage -> { }).mutate(base)).isEmpty();
    }

    @Test
    void crossoverCutsBothParentsAtTheSameIndex() {
        EditUnitSplitter words = EditUnitSplitter.words();
        Candidate first = Candidate.initial("a b c d", words);
        Candidate second = Candidate.initial("w x y z", words);
        Candidate child = GeneticAlgorithmWithCrossover.crossover(first, second, new SearchRandom(11)).orElseThrow();
        int cut = Integer.parseInt(child.edit().replaceAll(".*:(\\d+)]", "$1"));
        List<String> expected = new ArrayList<>(List.of("a", "b", "c", "d").subList(0, cut));
        expected.addAll(List.of("w", "x", "y", "z").subList(cut, 4));
        assertThat(child.prompt()).isEqualTo(String.join(" ", expected));
    }

    @Test
    void wordNetOffersSynonymsOfContentWords() {
        List<String> alternatives = WordNetParaphraser.instance().paraphrase("Answer briefly.").alternatives();
        assertThat(alternatives).isNotEmpty().allSatisfy(alternative -> assertThat(alternative).endsWith("."))
                .doesNotContain("Answer briefly.");
        assertThat(alternatives).anyMatch(alternative -> alternative.startsWith("Answer "));
    }
}
