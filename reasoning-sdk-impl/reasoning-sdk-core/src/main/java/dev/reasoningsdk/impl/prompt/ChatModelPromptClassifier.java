package dev.reasoningsdk.impl.prompt;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.ModelGateway;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Classification by a LangChain4j chat model under a searched instruction, as in Plum (Pan et al., 2023, "Plum:
 * Prompt Learning using Metaheuristic"), where the searched prompt is the instruction given to an LLM with each task
 * input and the LLM's answer is read as a label. The {@link PromptClassifier} of {@link #over(List)} makes the
 * user's own chat model the searched model of a {@link ClassificationObjective}.
 *
 * <p><b>One call per input.</b> For a prompt (the instruction) and each input, one user message ({@link #request}):
 * the instruction, the input, the label set and the request to reply with one label, at temperature
 * {@code temperature} (default 0, so that a prompt's score is repeatable).
 *
 * <p><b>Reading a label.</b> The reply outside a reasoning model's think blocks ({@link ThinkBlocks}) is searched
 * for each label as a whole word, case-insensitively (a letter or digit on either side makes it part of another
 * word); a mention inside a longer label's mention counts as that longer label only. When exactly one label is
 * mentioned (any number of times) it is the prediction. A reply that mentions no label, or several (even to negate
 * one: "true, not false"), or that was cut off at the token limit (finish reason {@code LENGTH}), is unusable: its
 * prediction is null, which the objective counts as wrong, and its call is a failed call of kind
 * {@link CallFailure#GARBAGE} in the usage; a blank reply (which the gateway already files as garbage) likewise.
 * Never a label guessed from a reply that does not name one alone.
 *
 * <p><b>Failures.</b> Every call goes through a {@link ModelGateway} ({@link Builder#gateway}; default: one over
 * the model with its default limits: timeouts, retries of transient failures, at most its {@code concurrency} calls
 * in flight); one classification is one scope of it, its inputs asked concurrently under that limit. A request the
 * provider refuses as such ({@link CallFailure#CLIENT_ERROR}: an instruction and input over the model's context, say)
 * would be refused every time, so, like an unusable reply, it is no prediction (null), counted as that failed call.
 * A call that failed otherwise, after the gateway's retries (timed out, rate-limited, a server or connection error,
 * the budget spent, cancelled, an unknown error), says nothing about the prompt, and scoring its input as wrong would
 * rank prompts by an outage: the classification throws a {@link ReasoningException} carrying the usage, retryable
 * when every such failure is transient. So it does when no input got a reply at all (every call refused or blank):
 * such a prompt is not scored as if the model had answered. A search counts such a candidate as a failed evaluation
 * and goes on, and fails when the initial prompt is one.
 *
 * <p><b>Cache.</b> What each (prompt, input) pair came to is kept (up to {@value #CACHE_LIMIT}; cleared when
 * full), a label or none (an unusable or blank reply, a refused request): a search never scores a prompt twice, but
 * the searches of one benchmark start from the same prompt, and a held-out evaluation may repeat one; a kept answer
 * costs no call and adds nothing to the usage. Calls that failed the prompt are not kept, so a later classification
 * asks them again. Thread-safe.
 */
public final class ChatModelPromptClassifier {

    /** Sampling temperature of the calls by default. */
    public static final double DEFAULT_TEMPERATURE = 0;
    private static final int CACHE_LIMIT = 100_000;

    private final ModelGateway gateway;
    private final List<String> labels;
    private final double temperature;
    private final Map<PromptInput, Answer> answers = new ConcurrentHashMap<>();

    private ChatModelPromptClassifier(Builder builder) {
        this.gateway = ChatCalls.gateway(builder.model, builder.gateway);
        this.labels = builder.labels;
        this.temperature = builder.temperature;
    }

    /** A builder; a model (or gateway) and the labels are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The labels, in the order the requests list them. */
    public List<String> labels() {
        return labels;
    }

    /** The gateway every call goes through. */
    public ModelGateway gateway() {
        return gateway;
    }

    /**
     * The user message sent for {@code input} under the instruction {@code prompt}.
     *
     * @throws NullPointerException if either is null
     */
    public String request(String prompt, String input) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(input, "input");
        return prompt.strip() + "\n\nInput: " + input.strip() + "\nLabels: " + String.join(", ", labels)
                + "\nReply with exactly one of the labels and nothing else.";
    }

    /**
     * The label of each input under the instruction {@code prompt} (null where the reply was unusable), and what
     * the calls cost.
     *
     * @throws NullPointerException naming the prompt, the inputs or the input that is null
     * @throws ReasoningException   if a call failed otherwise than as garbage or a refused request, or no input got a
     *                              reply; its usage counts every call made
     */
    public PromptClassifier.Predictions classify(String prompt, List<String> inputs) {
        Objects.requireNonNull(prompt, "prompt");
        List<String> inputList = requireInputs(inputs);
        long start = System.nanoTime();
        List<String> predicted = new ArrayList<>(Collections.nCopies(inputList.size(), null));
        // Each distinct input not answered before is asked once; its answer fills every place it holds.
        Map<String, List<Integer>> toAsk = new LinkedHashMap<>();
        boolean replied = false;
        for (int i = 0; i < inputList.size(); i++) {
            Answer known = answers.get(new PromptInput(prompt, inputList.get(i)));
            if (known != null) {
                replied |= known.replied();
                predicted.set(i, known.label());
            } else {
                toAsk.computeIfAbsent(inputList.get(i), input -> new ArrayList<>()).add(i);
            }
        }
        List<ChatRequest> requests = toAsk.keySet().stream().map(input -> ChatRequest.builder()
                .messages(UserMessage.from(request(prompt, input))).temperature(temperature).build()).toList();
        List<CallResult> results = requests.isEmpty() ? List.of() : gateway.session().callAll(requests);
        Usage usage = Usage.NONE;
        Map<CallFailure, Integer> unanswered = new EnumMap<>(CallFailure.class);
        int next = 0;
        for (Map.Entry<String, List<Integer>> asked : toAsk.entrySet()) {
            CallResult result = results.get(next++);
            Optional<CallFailure> failure = result.failure();
            if (failure.isPresent() && failure.get() != CallFailure.GARBAGE
                    && failure.get() != CallFailure.CLIENT_ERROR) {
                unanswered.merge(failure.get(), 1, Integer::sum);
                usage = usage.plus(result.usage());
                continue;
            }
            replied |= result.ok();
            ChatCalls.Reply reply = ChatCalls.reply(result);
            Optional<String> label = reply.ok() && !reply.cutOff() ? readLabel(reply.text(), labels)
                    : Optional.empty();
            usage = usage.plus(label.isPresent() ? reply.usage()
                    : reply.usage().withSamples(0).withAllCallsFailed(CallFailure.GARBAGE));
            // The gateway asked a blank reply again already, and a refused request is refused every time.
            remember(new PromptInput(prompt, asked.getKey()), new Answer(label.orElse(null), result.ok()));
            for (int index : asked.getValue()) {
                predicted.set(index, label.orElse(null));
            }
        }
        usage = usage.withWallTime(ChatCalls.since(start));
        if (!unanswered.isEmpty()) {
            int failed = unanswered.values().stream().mapToInt(Integer::intValue).sum();
            throw new ReasoningException(failed + " of the " + requests.size() + " calls to " + gateway.name()
                    + " failed " + unanswered + ": the prompt is not scored on inputs the model did not answer",
                    null, unanswered.keySet().stream().allMatch(CallFailure::isTransient), usage);
        }
        if (!replied && !inputList.isEmpty()) {
            throw new ReasoningException("none of the " + inputList.size() + " inputs got a reply from "
                    + gateway.name() + " " + usage.failuresByKind() + ": the prompt is not scored as if the model had"
                    + " answered", null, false, usage);
        }
        return new PromptClassifier.Predictions(predicted, usage);
    }

    /**
     * A {@link PromptClassifier} labelling {@code inputs} under each prompt it is given.
     *
     * @throws NullPointerException naming the inputs or the input that is null
     */
    public PromptClassifier over(List<String> inputs) {
        List<String> inputList = requireInputs(inputs);
        return prompt -> classify(prompt, inputList);
    }

    /**
     * Plum's {@link ClassificationObjective} for this classifier on a dev set: {@code inputs} with their
     * {@code gold} labels.
     *
     * @throws NullPointerException     naming the list or the element that is null
     * @throws IllegalArgumentException if the lists differ in length or a gold label is not one of {@link #labels()}
     */
    public ClassificationObjective objective(List<String> inputs, List<String> gold) {
        requireInputs(inputs);
        Objects.requireNonNull(gold, "gold");
        if (inputs.size() != gold.size()) {
            throw new IllegalArgumentException(inputs.size() + " inputs but " + gold.size() + " gold labels");
        }
        return ClassificationObjective.builder().labels(labels).gold(gold).classifier(over(inputs)).build();
    }

    /** An immutable copy of {@code inputs}, refusing a null list or element by name (List.copyOf names neither). */
    private static List<String> requireInputs(List<String> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        for (int i = 0; i < inputs.size(); i++) {
            Objects.requireNonNull(inputs.get(i), "input " + i);
        }
        return List.copyOf(inputs);
    }

    private void remember(PromptInput key, Answer answer) {
        if (answers.size() >= CACHE_LIMIT) {
            answers.clear();
        }
        answers.put(key, answer);
    }

    /**
     * The one label {@code reply} names, by the rule of the class comment: whole-word, case-insensitive mentions
     * outside think blocks, a mention inside a longer label's mention not counted; empty when it names none or
     * several.
     */
    static Optional<String> readLabel(String reply, List<String> labels) {
        String text = ThinkBlocks.answerHead(reply).toLowerCase(Locale.ROOT);
        // Longest first, marking what each mention covers: a shorter label's mention inside a longer one's is
        // skipped, in time linear in the reply for each label.
        List<String> longestFirst = labels.stream()
                .sorted(Comparator.comparingInt((String label) -> label.strip().length()).reversed()).toList();
        boolean[] covered = new boolean[text.length()];
        String named = null;
        for (String label : longestFirst) {
            String wanted = label.strip().toLowerCase(Locale.ROOT);
            boolean mentioned = false;
            for (int from = text.indexOf(wanted); from >= 0; from = text.indexOf(wanted, from + 1)) {
                int end = from + wanted.length();
                if (wordCharacter(text, from - 1) || wordCharacter(text, end)) {
                    continue;
                }
                boolean insideLonger = true;
                for (int i = from; i < end && insideLonger; i++) {
                    insideLonger = covered[i];
                }
                if (!insideLonger) {
                    mentioned = true;
                    Arrays.fill(covered, from, end, true);
                }
            }
            if (mentioned) {
                if (named != null) {
                    return Optional.empty();
                }
                named = label;
            }
        }
        return Optional.ofNullable(named);
    }

    private static boolean wordCharacter(String text, int index) {
        return index >= 0 && index < text.length() && Character.isLetterOrDigit(text.charAt(index));
    }

    private record PromptInput(String prompt, String input) {
    }

    /** What a call for one input came to: the label read (null for none), and whether the model replied at all. */
    private record Answer(String label, boolean replied) {
    }

    /**
     * Builds a {@link ChatModelPromptClassifier}. Setters validate at once; {@link #build()} reports a missing
     * setting with {@link IllegalStateException}. Not thread-safe.
     */
    public static final class Builder {
        private ChatModel model;
        private ModelGateway gateway;
        private List<String> labels;
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {
        }

        /** The searched model (this or {@link #gateway} is required). */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The gateway the model is called through (default: a gateway over {@link #model} with its default
         * limits); share one to share its concurrency limit, or set its {@code callTimeout} and budget.
         */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /**
         * The label set, as the requests list it and as replies are read.
         *
         * @throws NullPointerException     naming the label that is null
         * @throws IllegalArgumentException if it has fewer than two labels, one twice (ignoring case: a reply is
         *                                  read ignoring it), or one with neither letter nor digit
         */
        public Builder labels(List<String> labels) {
            List<String> checked = ClassificationObjective.requireLabels(labels);
            if (checked.stream().map(label -> label.strip().toLowerCase(Locale.ROOT)).distinct().count()
                    != checked.size()) {
                throw new IllegalArgumentException("labels must differ ignoring case, was " + checked);
            }
            for (String label : checked) {
                if (label.codePoints().noneMatch(Character::isLetterOrDigit)) {
                    throw new IllegalArgumentException("label '" + label + "' has no letter or digit to read");
                }
            }
            this.labels = checked;
            return this;
        }

        /**
         * The sampling temperature of the calls (default 0, for repeatable scores).
         *
         * @throws IllegalArgumentException if negative, NaN or infinite
         */
        public Builder temperature(double temperature) {
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /**
         * The classifier.
         *
         * @throws IllegalStateException if neither a model nor a gateway, or no labels were set, or a model and a
         *                               gateway over another model were
         */
        public ChatModelPromptClassifier build() {
            if (labels == null) {
                throw new IllegalStateException("labels are required");
            }
            return new ChatModelPromptClassifier(this);
        }
    }
}
