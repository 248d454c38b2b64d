package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Paraphrases a unit with a LangChain4j chat model, the way Plum's {@code sub} edit uses a paraphrase model: the
 * model is asked for {@code count} alternatives (default {@value #DEFAULT_COUNT}), one per line. Answers are cached
 * per unit, so a unit costs one call per paraphraser and a seeded search replays the same alternatives. A failed
 * call (after the gateway's retries) yields no alternatives (the search then makes another edit), is counted in the
 * returned usage, and is remembered as none: the unit is not asked again, unless the call was refused by a spent
 * budget or a cancel, before it was made. A reply is read from its first {@value ReplyWindow#MAX_CHARS} characters
 * (see {@link ReplyWindow}) outside a reasoning model's think blocks ({@link ThinkBlocks}: drafts weighed while
 * thinking are not its alternatives), in time linear in them, and only until {@code count} alternatives are found;
 * the last line of a reply cut off at the token limit is cut short, and is no alternative. Every call goes through a
 * {@link ModelGateway} (default: one over the model with its default limits), each paraphrase in a scope of its own.
 * Thread-safe.
 */
public final class ChatModelParaphraser implements Paraphraser {

    /** Alternatives asked for per unit. */
    public static final int DEFAULT_COUNT = 5;
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
    private static final Pattern LIST_MARK = Pattern.compile("^\\s*(?:\\d+[.)]|[-*\u2022])\\s*");
    private static final Pattern QUOTES = Pattern.compile("^[\"']|[\"']$");
    private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");
    private final ModelGateway gateway;
    private final int count;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private ChatModelParaphraser(ModelGateway gateway, int count) {
        this.gateway = gateway;
        this.count = count;
    }

    /** A paraphraser asking {@code model} for {@value #DEFAULT_COUNT} alternatives per unit. */
    public static ChatModelParaphraser of(ChatModel model) {
        return of(model, DEFAULT_COUNT);
    }

    /**
     * A paraphraser asking {@code model} for {@code count} alternatives per unit.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     */
    public static ChatModelParaphraser of(ChatModel model, int count) {
        Objects.requireNonNull(model, "model");
        return of(ModelGateway.of(model), count);
    }

    /** A paraphraser asking through {@code gateway} for {@value #DEFAULT_COUNT} alternatives per unit. */
    public static ChatModelParaphraser of(ModelGateway gateway) {
        return of(gateway, DEFAULT_COUNT);
    }

    /**
     * A paraphraser asking through {@code gateway} for {@code count} alternatives per unit.
     *
     * @throws IllegalArgumentException if {@code count < 1}
     */
    public static ChatModelParaphraser of(ModelGateway gateway, int count) {
        Objects.requireNonNull(gateway, "gateway");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        return new ChatModelParaphraser(gateway, count);
    }

    /** The request sent for {@code unit}. */
    String request(String unit) {
        return "Paraphrase the following phrase in " + count + " different ways. Keep its meaning. "
                + "Reply with one paraphrase per line and nothing else.\nPhrase: " + unit;
    }

    @Override
    public Paraphrases paraphrase(String unit) {
        List<String> cached = cache.get(unit);
        if (cached != null) {
            return new Paraphrases(cached, Usage.NONE);
        }
        ChatCalls.Reply reply = ChatCalls.sample(gateway.session(), request(unit));
        if (!reply.ok()) {
            // The gateway has already retried a transient failure. Asked again at each later edit of the unit, a
            // model that is down was called hundreds of times in a search of a dozen evaluations: a search checks
            // its budgets before evaluations, and an edit without alternatives leads to none. A call that a spent
            // budget or a cancel refused was never made, and is asked again in a later run.
            Map<CallFailure, Integer> failures = reply.usage().failuresByKind();
            if (!failures.containsKey(CallFailure.BUDGET_EXHAUSTED) && !failures.containsKey(CallFailure.CANCELLED)) {
                cache.putIfAbsent(unit, List.of());
            }
            return new Paraphrases(List.of(), reply.usage());
        }
        Set<String> alternatives = new LinkedHashSet<>();
        List<String> lines = List.of(LINE_BREAK.split(ThinkBlocks.answerHead(reply.text())));
        // A reply that ran into the token limit ends in a line cut short, not a paraphrase (a model that never
        // stops gave one line of a thousand tokens).
        for (String line : reply.cutOff() ? lines.subList(0, lines.size() - 1) : lines) {
            String cleaned = QUOTES.matcher(LIST_MARK.matcher(line).replaceFirst("").strip()).replaceAll("").strip();
            if (EditUnits.containsLetter(cleaned) && !cleaned.equals(unit)) {
                alternatives.add(WHITE_SPACE.matcher(cleaned).replaceAll(" "));
            }
            if (alternatives.size() == count) {
                break;
            }
        }
        List<String> list = new ArrayList<>(alternatives);
        List<String> kept = cache.computeIfAbsent(unit, key -> List.copyOf(list));
        return new Paraphrases(kept, reply.usage());
    }
}
