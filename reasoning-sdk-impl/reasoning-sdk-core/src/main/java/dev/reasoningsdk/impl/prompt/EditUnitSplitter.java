package dev.reasoningsdk.impl.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cuts one line of a prompt into the units that prompt-search edits delete, swap, substitute and re-add. Plum
 * (Pan et al., 2024) edits at the phrase level by default, also at word and sentence level.
 *
 * <p>{@link #phrases()} (the default) approximates the constituency-parse phrases Plum uses with rules: a phrase
 * ends after punctuation ({@code , ; : . ! ?}) and a new one starts at a conjunction, relative pronoun or
 * preposition. A statistical chunker would need a model file that Maven Central does not ship; on the short
 * instructions and descriptions prompt search edits, the rules give the same kind of units. Implementations are
 * stateless and thread-safe; joining the units of a line with single spaces gives the line back with its white
 * space normalised.
 */
@FunctionalInterface
public interface EditUnitSplitter {

    /** The units of {@code line} (which holds no line break), in order; empty for a blank line. */
    List<String> split(String line);

    /** Clause and phrase units (the default). */
    static EditUnitSplitter phrases() {
        return PhraseSplitter.INSTANCE;
    }

    /** Single words (white-space separated tokens, punctuation kept on the word). */
    static EditUnitSplitter words() {
        return line -> line.isBlank() ? List.of() : Arrays.asList(line.trim().split("\\s+"));
    }

    /** Sentences (split after {@code . ! ?} followed by white space). */
    static EditUnitSplitter sentences() {
        Pattern boundary = Pattern.compile("(?<=[.!?])\\s+");
        return line -> line.isBlank() ? List.of()
                : Arrays.stream(boundary.split(line.trim())).map(s -> s.trim().replaceAll("\\s+", " ")).toList();
    }

    /** The rule-based phrase splitter behind {@link #phrases()}. */
    final class PhraseSplitter implements EditUnitSplitter {
        private static final PhraseSplitter INSTANCE = new PhraseSplitter();
        private static final Set<String> STARTERS = Set.of(
                // coordinating and subordinating conjunctions, relative pronouns: clause starts
                "and", "or", "but", "nor", "so", "yet", "because", "although", "though", "while", "whereas",
                "if", "unless", "when", "whenever", "where", "whether", "that", "which", "who", "whom", "whose",
                "since", "until", "before", "after", "than",
                // prepositions: phrase starts
                "about", "above", "across", "against", "along", "among", "around", "as", "at", "behind", "below",
                "beside", "between", "beyond", "by", "despite", "during", "except", "for", "from", "in", "inside",
                "into", "like", "near", "of", "off", "on", "onto", "over", "per", "through", "throughout", "to",
                "toward", "towards", "under", "upon", "via", "with", "within", "without");

        private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

        private PhraseSplitter() {
        }

        @Override
        public List<String> split(String line) {
            List<String> units = new ArrayList<>();
            if (line.isBlank()) {
                return units;
            }
            List<String> current = new ArrayList<>();
            for (String token : line.trim().split("\\s+")) {
                String bare = withoutEdgePunctuation(token).toLowerCase(Locale.ROOT);
                if (!current.isEmpty() && STARTERS.contains(bare) && !isStarterOnly(current)) {
                    units.add(String.join(" ", current));
                    current.clear();
                }
                current.add(token);
                if (token.matches(".*[,;:.!?]$")) {
                    units.add(String.join(" ", current));
                    current.clear();
                }
            }
            if (!current.isEmpty()) {
                units.add(String.join(" ", current));
            }
            return units;
        }

        /**
         * {@code token} without its leading and trailing ASCII punctuation, as {@code ^\p{Punct}+|\p{Punct}+$}
         * would remove it, in one pass: that pattern, tried from every character of a punctuation run that a word
         * follows, would scan the run again from each.
         */
        private static String withoutEdgePunctuation(String token) {
            int start = 0;
            while (start < token.length() && isPunctuation(token.charAt(start))) {
                start++;
            }
            int end = token.length();
            while (end > start && isPunctuation(token.charAt(end - 1))) {
                end--;
            }
            return token.substring(start, end);
        }

        /** The POSIX class {@code \p{Punct}}: ASCII punctuation and symbols. */
        private static boolean isPunctuation(char c) {
            return c < 128 && PUNCTUATION.indexOf(c) >= 0;
        }

        // "in the" + "of": a phrase of starters alone ("as of") stays together with what follows.
        private static boolean isStarterOnly(List<String> current) {
            for (String token : current) {
                if (!STARTERS.contains(token.toLowerCase(Locale.ROOT))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return "phrases";
        }
    }
}
