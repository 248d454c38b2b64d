package dev.reasoningsdk.impl.internal;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of a reasoning model's reply that is not thinking. Qwen3, DeepSeek-R1 and the like write their reasoning
 * in a {@code <think> ... </think>} block before the answer, in the message content itself when nothing parses it
 * out (Ollama without {@code think}, llama.cpp, vLLM without a reasoning parser, a local Hugging Face export): an
 * answer read from the whole reply may be a number the model considered and dropped while thinking.
 *
 * <p>Rules, tags matched in any case: a closed block is replaced by one space; a closing tag that no opening tag
 * precedes ends a block the chat template opened in the prompt (DeepSeek-R1's ends with {@code <think>\n}), so what
 * precedes it is thinking too; an opening tag that never closes starts thinking that was cut off (the reply hit its
 * token limit), so what follows it is no answer. One pass over the whole reply, in time linear in it, however many
 * tags it holds: each tag is searched for once. A reply without tags is returned as it is, not copied.
 * Thread-safe (stateless).
 */
public final class ThinkBlocks {

    private static final Pattern OPEN = Pattern.compile("(?i)<think>");
    private static final Pattern CLOSE = Pattern.compile("(?i)</think>");

    private ThinkBlocks() {
    }

    /**
     * A reply split at its think blocks.
     *
     * @param outside  the text outside think blocks, each closed block replaced by one space (all of the reply when
     *                 it has none)
     * @param unclosed whether the reply ends inside a think block it opened: the model was cut off while thinking,
     *                 and {@code outside} holds only what came before that block
     */
    public record Split(String outside, boolean unclosed) {
        /** @throws NullPointerException if {@code outside} is null */
        public Split {
            Objects.requireNonNull(outside, "outside");
        }
    }

    /** Splits {@code reply} at its think blocks, by the rules of the class comment. */
    public static Split split(String reply) {
        Objects.requireNonNull(reply, "reply");
        Matcher open = OPEN.matcher(reply);
        Matcher close = CLOSE.matcher(reply);
        // Next tag at or after `from`, found once and kept until passed: re-searching from each position would scan
        // the same stretch again for every stray tag before a far one.
        int nextOpen = open.find() ? open.start() : -1;
        int nextClose = close.find() ? close.start() : -1;
        if (nextOpen < 0 && nextClose < 0) {
            return new Split(reply, false);
        }
        StringBuilder outside = new StringBuilder();
        int from = 0;
        while (true) {
            if (nextClose < 0) {
                outside.append(reply, from, nextOpen < 0 ? reply.length() : nextOpen);
                return new Split(outside.toString(), nextOpen >= 0);
            }
            if (nextOpen < 0 || nextClose < nextOpen) {
                // A closing tag with no opening one: the block was opened by the prompt, so all before it was thought.
                outside.setLength(0);
            } else {
                outside.append(reply, from, nextOpen).append(' ');
            }
            from = close.end();
            nextClose = close.find() ? close.start() : -1;
            while (nextOpen >= 0 && nextOpen < from) {
                // An opening tag inside the block just closed is part of its thinking.
                nextOpen = open.find() ? open.start() : -1;
            }
        }
    }

    /**
     * The text of {@code reply} an answer is read from: outside its think blocks, or empty when the reply ends
     * inside one (it was cut off before its answer).
     */
    public static Optional<String> answerText(String reply) {
        Split split = split(reply);
        return split.unclosed() ? Optional.empty() : Optional.of(split.outside());
    }

    /**
     * {@link #answerText}, empty also when it is blank: a reply cut off while thinking, or holding only white space
     * after its thinking, has no answer a technique could read, pass on or rate.
     */
    public static Optional<String> nonBlankAnswerText(String reply) {
        return answerText(reply).filter(outside -> !outside.isBlank());
    }

    /**
     * {@code reply} as a technique sends it back to the model, as the model's own earlier turn in a conversation or
     * as an intermediate result pasted into a later prompt: the text outside its think blocks ({@link #split}),
     * without the white space a removed block leaves at its start; a reply without tags is returned as it is. The
     * chat templates of Qwen3 and DeepSeek-R1 keep the same of an earlier assistant turn (Qwen3's renders
     * {@code content.split('</think>')[-1].lstrip('\n')} for each assistant turn before the last user message), so for
     * the usual reply, one block before the answer (or, as DeepSeek-R1's, a closing tag alone), a served or local
     * model that renders the conversation itself sees no difference; other shapes (several blocks, upper-case tags,
     * thinking amid the answer, an unclosed block) come out differently from that template's split. A model that does
     * not render it so is not sent scratch work that costs context and that the next stage might take for the result.
     * A reply cut off while thinking gives what it wrote before the block it left open (usually nothing): a technique
     * for which such a reply is unusable tells it by {@link #answerText} being empty.
     */
    public static String withoutThinking(String reply) {
        String outside = split(reply).outside();
        // Only tags make the outside shorter; without them the reply keeps even its leading white space.
        return outside.length() == reply.length() ? reply : outside.stripLeading();
    }

    /**
     * The first {@value ReplyWindow#MAX_CHARS} characters of {@link #answerText}, or {@code ""} when the reply was cut
     * off while thinking: what a parser that reads a reply from its start reads, so that a reply cut off inside
     * thinking parses as an empty reply does.
     */
    public static String answerHead(String reply) {
        return ReplyWindow.head(answerText(reply).orElse(""));
    }
}
