package dev.reasoningsdk.impl.confidence;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A self-reflective rationale drawn from the inconsistency of sampled chains (SaySelf, Xu et al., 2024): what the
 * chains disagree about, so a reader knows why the confidence is what it is.
 *
 * <p>{@link #describe(AnswerGroups)} is deterministic: "6 of 10 chains reach 32; 3 reach 28, differing at step 2
 * ("21-5=16." vs "21-6=15."); 1 gives no answer." The step where two groups diverge is the first step at which the
 * first chain of the majority group and the first chain of the other group differ; steps are the lines of a chain
 * outside a reasoning model's thinking, or its sentences when it is one line. With a model
 * ({@link #withModel(ChatModel)}), the model is shown the question, the answer groups and one chain of each, and
 * asked to summarise in the first person what it is unsure about, as SaySelf trains models to do; the call goes
 * through a {@link ModelGateway} ({@link #withGateway(ModelGateway)}; {@code withModel} makes one with the default
 * limits), and when it fails or returns nothing, the deterministic text is used and the failure counted by kind. The
 * model is shown each chain without a reasoning model's thinking ({@link ThinkBlocks#withoutThinking}: its answer,
 * as its own earlier turn), and its rationale is read outside its thinking; a reply with nothing outside it is
 * garbage ({@link CallFailure#GARBAGE}), and the deterministic text is used. Steps are read from the first
 * {@value ReplyWindow#MAX_CHARS} characters of a chain (see {@link ReplyWindow}), in time linear in them.
 * Thread-safe.
 */
public final class InconsistencyRationale {

    private static final Logger LOG = LoggerFactory.getLogger(InconsistencyRationale.class);
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+");
    private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");
    private static final int MAX_GROUPS_NAMED = 3;
    private static final int MAX_STEP_CHARS = 60;
    private static final int MAX_CHAIN_CHARS = 1200;

    private final ModelGateway gateway;

    private InconsistencyRationale(ModelGateway gateway) {
        this.gateway = gateway;
    }

    /** The deterministic rationale, no model calls. */
    public static InconsistencyRationale deterministic() {
        return new InconsistencyRationale(null);
    }

    /** A rationale the model writes in the first person, falling back to the deterministic one. */
    public static InconsistencyRationale withModel(ChatModel model) {
        return withGateway(ModelGateway.of(Objects.requireNonNull(model, "model")));
    }

    /** A rationale the model behind {@code gateway} writes, falling back to the deterministic one. */
    public static InconsistencyRationale withGateway(ModelGateway gateway) {
        return new InconsistencyRationale(Objects.requireNonNull(gateway, "gateway"));
    }

    /**
     * A rationale for the answer groups of {@code question}. The model is only asked when the chains disagree.
     *
     * @throws NullPointerException if an argument is null
     */
    public Rationale explain(String question, AnswerGroups groups) {
        Objects.requireNonNull(question, "question");
        String described = describe(groups);
        boolean unanimous = groups.groups().size() <= 1 && groups.unparsed().isEmpty();
        if (gateway == null || unanimous) {
            return new Rationale(described, false, Usage.NONE);
        }
        CallResult result = gateway.call(ChatRequest.builder()
                .messages(UserMessage.from(summaryPrompt(question, groups, described))).build());
        if (!result.ok()) {
            LOG.warn("rationale call failed, using the deterministic rationale: {}", result.message());
            return new Rationale(described, false, result.usage());
        }
        // A reasoning model's thinking is not its rationale; a reply with nothing outside it returned nothing.
        Optional<String> written = ThinkBlocks.nonBlankAnswerText(result.text()).map(String::strip);
        if (written.isEmpty()) {
            LOG.warn("rationale reply holds nothing outside the model's thinking, using the deterministic rationale");
            return new Rationale(described, false, result.usage().withAllCallsFailed(CallFailure.GARBAGE));
        }
        return new Rationale(written.get(), true, result.usage());
    }

    /** The deterministic rationale of the answer groups. */
    public static String describe(AnswerGroups groups) {
        Objects.requireNonNull(groups, "groups");
        int total = groups.total();
        Optional<AnswerGroups.Group> majority = groups.majority();
        if (majority.isEmpty()) {
            return total == 1 ? "The chain states no answer." : "None of the " + total + " chains states an answer.";
        }
        AnswerGroups.Group top = majority.get();
        if (total == 1) {
            return "The single chain reaches " + top.answer() + "; there are no other samples to compare.";
        }
        if (groups.groups().size() == 1 && groups.unparsed().isEmpty()) {
            return "All " + total + " chains reach " + top.answer() + ".";
        }
        List<String> parts = new ArrayList<>();
        parts.add(top.members().size() + " of " + total + " chains reach" + (top.members().size() == 1 ? "es " : " ")
                + top.answer());
        List<String> majoritySteps = steps(groups.chains().get(top.members().get(0)));
        List<AnswerGroups.Group> others = groups.groups().subList(1, groups.groups().size());
        for (int g = 0; g < Math.min(MAX_GROUPS_NAMED, others.size()); g++) {
            AnswerGroups.Group other = others.get(g);
            List<String> otherSteps = steps(groups.chains().get(other.members().get(0)));
            parts.add(other.members().size() + " reach" + (other.members().size() == 1 ? "es " : " ")
                    + other.answer() + divergence(majoritySteps, otherSteps));
        }
        if (others.size() > MAX_GROUPS_NAMED) {
            int rest = others.subList(MAX_GROUPS_NAMED, others.size()).stream()
                    .mapToInt(group -> group.members().size()).sum();
            parts.add(rest + " reach " + (others.size() - MAX_GROUPS_NAMED) + " other answers");
        }
        if (!groups.unparsed().isEmpty()) {
            parts.add(groups.unparsed().size() + (groups.unparsed().size() == 1 ? " gives" : " give") + " no answer");
        }
        return String.join("; ", parts) + ".";
    }

    /**
     * The steps of the first {@value ReplyWindow#MAX_CHARS} characters of a chain's answer (outside a reasoning
     * model's thinking, as the model is shown it): its non-blank lines, or its sentences when it is a single line.
     */
    static List<String> steps(ReasoningChain chain) {
        String text = ReplyWindow.head(ThinkBlocks.withoutThinking(chain.text()));
        List<String> lines = text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        List<String> raw = lines.size() > 1 ? lines : List.of(SENTENCE_END.split(text.strip()));
        return raw.stream().map(step -> WHITE_SPACE.matcher(withoutAnnotations(step)).replaceAll(" ").strip())
                .filter(step -> !step.isEmpty()).toList();
    }

    /**
     * {@code text} without GSM8K calculator annotations ({@code <<48/2=24>>}), removed as the pattern
     * {@code <<[^>]*>>} would remove them, in one pass: that pattern, tried from every {@code <<} of a run of them
     * with no {@code >>} after, would scan to the end from each.
     */
    static String withoutAnnotations(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int open = text.indexOf("<<");
        while (open >= 0) {
            int close = text.indexOf('>', open + 2);
            if (close < 0) {
                break;
            }
            if (close + 1 < text.length() && text.charAt(close + 1) == '>') {
                out.append(text, copied, open);
                copied = close + 2;
                open = text.indexOf("<<", copied);
            } else {
                // An annotation runs to the first '>' after its "<<", and so would one from any "<<" before that '>'.
                open = text.indexOf("<<", close + 1);
            }
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static String divergence(List<String> majority, List<String> other) {
        int common = Math.min(majority.size(), other.size());
        for (int i = 0; i < common; i++) {
            if (!majority.get(i).equalsIgnoreCase(other.get(i))) {
                return String.format(Locale.ROOT, ", differing at step %d (\"%s\" vs \"%s\")", i + 1,
                        shorten(majority.get(i)), shorten(other.get(i)));
            }
        }
        if (majority.size() != other.size()) {
            return String.format(Locale.ROOT, ", differing after step %d (%d vs %d steps)", common,
                    majority.size(), other.size());
        }
        return "";
    }

    private static String shorten(String step) {
        return step.length() <= MAX_STEP_CHARS ? step : step.substring(0, MAX_STEP_CHARS - 3) + "...";
    }

    private static String summaryPrompt(String question, AnswerGroups groups, String described) {
        StringBuilder prompt = new StringBuilder()
                .append("You answered the question below several times and your answers disagree.\n\n")
                .append("Question: ").append(question).append("\n\n")
                .append("How your answers split: ").append(described).append("\n\n");
        for (int g = 0; g < Math.min(MAX_GROUPS_NAMED + 1, groups.groups().size()); g++) {
            AnswerGroups.Group group = groups.groups().get(g);
            // The model's earlier answer, as a chat template renders an earlier turn: without its thinking, which
            // would fill the excerpt before the answer it reached.
            String chain = ThinkBlocks.withoutThinking(groups.chains().get(group.members().get(0)).text());
            prompt.append("One of your answers reaching ").append(group.answer()).append(":\n")
                    .append(chain.length() <= MAX_CHAIN_CHARS ? chain : chain.substring(0, MAX_CHAIN_CHARS))
                    .append("\n\n");
        }
        return prompt.append("In the first person and in at most two sentences, say what you are unsure about: ")
                .append("name the step or fact where your answers part ways (for example \"I am unsure whether ")
                .append("...\"). Do not solve the problem again.").toString();
    }

    /**
     * A rationale and what it cost.
     *
     * @param text      the rationale
     * @param fromModel whether the model wrote it (false: the deterministic description)
     * @param usage     the model call, if any
     */
    public record Rationale(String text, boolean fromModel, Usage usage) {
        /** @throws NullPointerException if text or usage is null */
        public Rationale {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(usage, "usage");
        }
    }
}
