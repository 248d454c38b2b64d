package dev.reasoningsdk.impl.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Short digests of the questions a shipped head was trained on, so that a bench can skip those questions in any file
 * (a copy, subset or reshuffle of the training file has another file hash). A digest is the first 16 hex digits of
 * the SHA-256 of the question's words: the text in Unicode NFKC, lower-cased, with every run of what is neither a
 * letter nor a digit (white space of any kind, punctuation, quotes, symbols) made one space and the ends trimmed. A
 * copy that differs only in those (no-break spaces, curly or straight quotes, "Janet’s" or "JANET'S") is then the
 * same question, and is never scored as one a head did not see; two questions that differ only in them are one. A set
 * of digests is kept as a sorted list of distinct digests, which is how the shipped JSON files store it.
 */
public final class QuestionDigests {

    private static final int HEX_CHARS = 16;

    /**
     * What separates a question's words. With runs of ASCII white space alone (the rule before), a copy whose spaces
     * were made no-break, or whose curly apostrophes were made straight, had another digest, and a bench scored it as
     * a question never trained on.
     */
    private static final Pattern NOT_A_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    /** The white space digests recorded before {@link #NOT_A_WORD} were normalised with: ASCII only. */
    private static final Pattern ASCII_WHITE_SPACE = Pattern.compile("\\s+");

    private QuestionDigests() {
    }

    /** The digest of one question. */
    public static String of(String question) {
        return digest(NOT_A_WORD.matcher(Normalizer.normalize(question, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT))
                .replaceAll(" ").strip());
    }

    /** The digest as files written before questions were reduced to their words recorded it. */
    private static String asRecordedBefore(String question) {
        return digest(ASCII_WHITE_SPACE.matcher(Normalizer.normalize(question, Normalizer.Form.NFC).strip())
                .replaceAll(" "));
    }

    private static String digest(String normalized) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(normalized.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash).substring(0, HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * The sorted digests of a head's training questions, as its provenance records them, refusing
     * questions that repeat one another: cross-validation deals rows to folds, so a repeated question would be scored
     * by a fit that saw its copy, and the figures that choose what ships would overstate it.
     *
     * @param questions the training questions
     * @param rows      each one's 0-based row in its file, for the message
     * @throws IllegalArgumentException naming the first two rows that hold the same question (case, white space and
     *                                  punctuation aside)
     */
    public static List<String> trainingDigests(List<String> questions, List<Integer> rows) {
        firstRepeat(questions).ifPresent(repeat -> {
            throw new IllegalArgumentException("rows " + rows.get(repeat.first()) + " and "
                    + rows.get(repeat.second()) + " (0-based) hold the same question (case, white space and "
                    + "punctuation aside): cross-validation would score one on a fit that saw the other, so remove the "
                    + "repeated questions first");
        });
        return questions.stream().map(QuestionDigests::of).distinct().sorted().toList();
    }

    /**
     * The first question of {@code questions} that repeats an earlier one, compared by their digests ({@link #of}:
     * case, white space and punctuation aside), as the positions of the two; empty when no question repeats.
     */
    public static Optional<Repeat> firstRepeat(List<String> questions) {
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < questions.size(); i++) {
            Integer earlier = first.putIfAbsent(of(questions.get(i)), i);
            if (earlier != null) {
                return Optional.of(new Repeat(earlier, i));
            }
        }
        return Optional.empty();
    }

    /**
     * Two positions in a list of questions that hold the same question.
     *
     * @param first  the earlier one's position (0-based)
     * @param second the later one's position (0-based)
     */
    public record Repeat(int first, int second) {
    }

    /**
     * Whether {@code question} is among the training questions {@code sortedDigests} records (as
     * {@link #trainingDigests} returns them). A file written before questions were reduced to their words recorded
     * another digest (of the text with only its ASCII white space normalised), so that digest is looked up too: a
     * copy of such a file's question is still told to be trained on.
     *
     * @param trainedHead names what was trained, for the message, e.g. "the verifier trained on FILE"
     * @throws IllegalStateException if {@code sortedDigests} is empty: the file was written before they were recorded
     */
    public static boolean trainedOn(List<String> sortedDigests, String question, String trainedHead) {
        if (sortedDigests.isEmpty()) {
            throw new IllegalStateException(trainedHead + " did not record its training questions (written before "
                    + "they were recorded): retrain it to tell them");
        }
        return Collections.binarySearch(sortedDigests, of(question)) >= 0
                || Collections.binarySearch(sortedDigests, asRecordedBefore(question)) >= 0;
    }

    /**
     * {@code digests} as an immutable list (null read as empty: files written before digests were recorded).
     *
     * @throws IllegalArgumentException if they are more than {@code atMost}, or not sorted and distinct; the message
     *                                  names {@code what}
     */
    public static List<String> requireSortedDistinct(List<String> digests, int atMost, String what) {
        List<String> copy = digests == null ? List.of() : List.copyOf(digests);
        if (copy.size() > atMost) {
            throw new IllegalArgumentException(copy.size() + " " + what + " for " + atMost + " training rows");
        }
        for (int i = 1; i < copy.size(); i++) {
            if (copy.get(i - 1).compareTo(copy.get(i)) >= 0) {
                throw new IllegalArgumentException(what + " must be sorted and distinct: " + copy.get(i - 1)
                        + " before " + copy.get(i));
            }
        }
        return copy;
    }
}
