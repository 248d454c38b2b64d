package dev.reasoningsdk.impl.internal;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of a model reply a parser reads. Replies are untrusted input: a model that degenerates writes megabytes
 * of newlines, digits or brackets, and parsing runs outside every timeout. So every parser of model output in this
 * library reads at most {@value #MAX_CHARS} characters of a reply, its head when what it looks for comes first (a
 * JSON object, a probability, a list of modules, the steps of a chain, the judge's score lines) or its tail when it
 * comes last (a final answer, a confidence line), and takes time linear in what it reads.
 *
 * <p>One exception: where a reasoning model's think blocks are (see {@link ThinkBlocks}) is found in one linear pass
 * over the whole reply, before the window is taken from what lies outside them. A model's thinking may be longer than
 * the window, and only a reply's start tells whether its tail lies inside a block that never closed (a reply cut off
 * while thinking): read from the tail alone, such thinking would be taken for the answer.
 *
 * <p>{@value #MAX_CHARS} characters are about 16,000 tokens, more than a model writes in a normal reply, so replies
 * up to that length are parsed exactly as a parser's documentation says; of a longer reply only the window is read.
 * Thread-safe (stateless).
 */
public final class ReplyWindow {

    /** The most characters of one reply a parser reads: 64 Ki characters. */
    public static final int MAX_CHARS = 65_536;

    private ReplyWindow() {
    }

    /** The first {@value #MAX_CHARS} characters of {@code reply}, or all of it when it is shorter. */
    public static String head(String reply) {
        return reply.length() <= MAX_CHARS ? reply : reply.substring(0, MAX_CHARS);
    }

    /**
     * Where the tail window of {@code reply} starts: 0 when the reply is at most {@value #MAX_CHARS} characters
     * long; otherwise at the first line feed within its last {@value #MAX_CHARS} characters, so that the window
     * starts at a line (line-start markers are matched from their line feed), or at the window's first character
     * when those characters hold no line feed.
     */
    public static int tailStart(CharSequence reply) {
        int length = reply.length();
        if (length <= MAX_CHARS) {
            return 0;
        }
        for (int i = length - MAX_CHARS; i < length; i++) {
            if (reply.charAt(i) == '\n') {
                return i;
            }
        }
        return length - MAX_CHARS;
    }

    /**
     * A matcher of {@code pattern} over the tail window of {@code reply}. Look-arounds and word boundaries see the
     * characters just outside the window (so a number cut by the window's start is not read as a shorter number),
     * while {@code ^} still matches only at the start of the whole reply.
     */
    public static Matcher tailMatcher(Pattern pattern, CharSequence reply) {
        Objects.requireNonNull(pattern, "pattern");
        return pattern.matcher(reply).region(tailStart(reply), reply.length()).useTransparentBounds(true)
                .useAnchoringBounds(false);
    }
}
