package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.ChatCalls;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SELF-DISCOVER (Zhou et al., 2024, "Self-Discover: Large Language Models Self-Compose Reasoning Structures"). Once
 * per task, three calls turn the paper's 39 atomic reasoning modules into a task-specific plan: SELECT the useful
 * modules, ADAPT them to the task, IMPLEMENT them as a JSON reasoning structure. Each instance is then solved with
 * one call that fills in the structure. Every call goes through a {@link ModelGateway} (default: one over the model
 * with its default limits); {@link #discover} and each {@link #solve} are one scope each, so the gateway's budget
 * bounds each of them. Thread-safe when the model is.
 *
 * <p>The SELECT and IMPLEMENT replies are read from their first {@value ReplyWindow#MAX_CHARS} characters (see
 * {@link ReplyWindow}) outside a reasoning model's think blocks ({@link ThinkBlocks}), in time linear in them; the
 * SOLVE reply by the answer extractor, which reads its own window. The follow-up prompts carry the earlier stages'
 * answers only: the ADAPT prompt the selected modules (or, when none is recognised, the SELECT reply outside its
 * thinking), the IMPLEMENT prompt the ADAPT reply outside its thinking ({@link ThinkBlocks#withoutThinking}), as the
 * chat templates of Qwen3 and DeepSeek-R1 drop the thinking of an earlier assistant turn. A SELECT or ADAPT reply
 * with nothing outside its thinking (cut off while thinking) fails the discovery as a failed call does.
 */
public final class SelfDiscover {

    private static final List<String> MODULES = loadModules();
    // The blank run before a number holds no line break, so a number after blank lines is matched from its own line
    // (the same match end) and a run of newlines is scanned once, not once from each line; the other runs are
    // possessive because nothing after them can start with white space.
    private static final Pattern MODULE_NUMBER = Pattern.compile(
            "(?m)^[\\t\\x0B\\f ]*+(?:[-*]\\s*+)?(?:module\\s*+)?#?(\\d{1,2})\\s*+[.):\\]-]", Pattern.CASE_INSENSITIVE);
    private static final String EXAMPLE_STRUCTURE = """
            {
              "Step 1: Restate what the task asks for": "",
              "Step 2: List the facts and constraints given": "",
              "Step 3: Reason from them, one inference at a time": "",
              "Step 4: Check the result against the constraints": "",
              "Final answer": ""
            }""";
    private final ModelGateway gateway;
    private final AnswerExtractor extractor;

    private SelfDiscover(ModelGateway gateway, AnswerExtractor extractor) {
        this.gateway = gateway;
        this.extractor = extractor;
    }

    /** SELF-DISCOVER on {@code model}; answers are read with {@code extractor}. */
    public static SelfDiscover of(ChatModel model, AnswerExtractor extractor) {
        Objects.requireNonNull(model, "model");
        return of(ModelGateway.of(model), extractor);
    }

    /** SELF-DISCOVER calling through {@code gateway}; answers are read with {@code extractor}. */
    public static SelfDiscover of(ModelGateway gateway, AnswerExtractor extractor) {
        return new SelfDiscover(Objects.requireNonNull(gateway, "gateway"),
                Objects.requireNonNull(extractor, "extractor"));
    }

    /** The 39 reasoning modules of the paper (Table 2), in order; module {@code i} is element {@code i - 1}. */
    public static List<String> reasoningModules() {
        return MODULES;
    }

    /**
     * Discovers the reasoning structure for a task from a few of its instances (three calls).
     *
     * @throws IllegalArgumentException if no example is given
     * @throws ReasoningException       if a stage fails, SELECT or ADAPT replies with nothing outside its thinking,
     *                                  or IMPLEMENT returns no JSON object; its {@link ReasoningException#usage()}
     *                                  counts the stages' calls up to the failure
     */
    public ReasoningStructure discover(List<String> taskExamples) {
        Objects.requireNonNull(taskExamples, "taskExamples");
        if (taskExamples.isEmpty() || taskExamples.stream().anyMatch(e -> e == null || e.isBlank())) {
            throw new IllegalArgumentException("need at least one non-blank task example");
        }
        String examples = String.join("\n\n", taskExamples);
        CallScope scope = gateway.session();
        ChatCalls.Reply select = stage(scope, "SELECT", selectPrompt(examples), Usage.NONE);
        List<Integer> selected = selectedModules(select.text());
        String selectedText = selected.isEmpty() ? passedOn("SELECT", select, select.usage()) : numbered(selected);
        ChatCalls.Reply adapt = stage(scope, "ADAPT", adaptPrompt(selectedText, examples), select.usage());
        Usage usage = select.usage().plus(adapt.usage());
        String adapted = passedOn("ADAPT", adapt, usage);
        ChatCalls.Reply implement = stage(scope, "IMPLEMENT", implementPrompt(adapted, examples), usage);
        Usage spent = usage.plus(implement.usage());
        ObjectNode structure = JsonReplies.firstObject(implement.text()).orElseThrow(() -> new ReasoningException(
                "SELF-DISCOVER IMPLEMENT stage returned no JSON object: " + abbreviate(implement.text()), null,
                false, spent));
        return new ReasoningStructure(selected, adapted, JsonReplies.pretty(structure), spent);
    }

    /**
     * Solves one instance by following {@code structure} (one call).
     *
     * @throws ReasoningException if the call fails, carrying its usage
     */
    public Solution solve(ReasoningStructure structure, String instance) {
        Objects.requireNonNull(structure, "structure");
        Objects.requireNonNull(instance, "instance");
        ChatCalls.Reply reply = stage(gateway.session(), "SOLVE", solvePrompt(structure, instance), Usage.NONE);
        return new Solution(reply.text(), extractor.extract(reply.text()), reply.usage());
    }

    String selectPrompt(String examples) {
        return "Select several reasoning modules that are crucial to utilize in order to solve the given task.\n\n"
                + "All reasoning module descriptions:\n" + numbered(allIndices()) + "\n\nTask examples:\n" + examples
                + "\n\nSelect several modules that are crucial for solving the task above. List each selected "
                + "module on its own line as its number followed by its description.";
    }

    String adaptPrompt(String selected, String examples) {
        return "Rephrase and specify each reasoning module so that it better helps solving the task.\n\n"
                + "Selected module descriptions:\n" + selected + "\n\nTask examples:\n" + examples
                + "\n\nAdapt each reasoning module description to better solve the task, without solving it.";
    }

    String implementPrompt(String adapted, String examples) {
        return "Operationalize the reasoning modules into a step-by-step reasoning plan in JSON format.\n\n"
                + "Here is an example of a reasoning structure:\n" + EXAMPLE_STRUCTURE
                + "\n\nAdapted module descriptions:\n" + adapted + "\n\nTask examples:\n" + examples
                + "\n\nImplement a reasoning structure for solvers to follow step by step and arrive at correct "
                + "answers. Reply with the JSON object only; do not solve the task.";
    }

    String solvePrompt(ReasoningStructure structure, String instance) {
        return "Follow the step-by-step reasoning plan in JSON to correctly solve the task. Fill in the values "
                + "following the keys by reasoning specifically about the task given. Do not simply rephrase the "
                + "keys. End with \"The answer is <answer>.\"\n\nReasoning structure:\n" + structure.structure()
                + "\n\nTask:\n" + instance;
    }

    /**
     * The module numbers (1 to 39) the first {@value ReplyWindow#MAX_CHARS} characters of a SELECT reply list at the
     * start of their lines, or whose full text they quote; outside its think blocks ({@link ThinkBlocks}), since
     * modules weighed while thinking are not the selection.
     */
    static List<Integer> selectedModules(String fullReply) {
        String reply = ThinkBlocks.answerHead(fullReply);
        TreeSet<Integer> selected = new TreeSet<>();
        Matcher matcher = MODULE_NUMBER.matcher(reply);
        while (matcher.find()) {
            int number = Integer.parseInt(matcher.group(1));
            if (number >= 1 && number <= MODULES.size()) {
                selected.add(number);
            }
        }
        String lower = reply.toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < MODULES.size(); i++) {
            if (lower.contains(MODULES.get(i).toLowerCase(java.util.Locale.ROOT))) {
                selected.add(i + 1);
            }
        }
        return List.copyOf(selected);
    }

    /**
     * One stage's call; a failed one fails the discovery (or the solution) with an exception carrying
     * {@code spentBefore}, the earlier stages' cost, plus this stage's.
     */
    private static ChatCalls.Reply stage(CallScope scope, String name, String prompt, Usage spentBefore) {
        ChatCalls.Reply reply = ChatCalls.sample(scope, prompt);
        if (!reply.ok()) {
            throw new ReasoningException("SELF-DISCOVER " + name + " stage failed: " + reply.error(), null, true,
                    spentBefore.plus(reply.usage()));
        }
        return reply;
    }

    /**
     * A stage's reply as the next stage is given it: without the model's thinking
     * ({@link ThinkBlocks#withoutThinking}), which the next stage would otherwise read as the modules it is to adapt or
     * implement. A reply with nothing outside its thinking (cut off while thinking) is a failed stage, as a blank
     * reply is.
     */
    private static String passedOn(String name, ChatCalls.Reply reply, Usage spent) {
        if (ThinkBlocks.nonBlankAnswerText(reply.text()).isEmpty()) {
            throw new ReasoningException("SELF-DISCOVER " + name + " stage failed: the reply holds nothing outside "
                    + "the model's thinking (cut off while thinking?): " + abbreviate(reply.text()), null, true,
                    spent);
        }
        return ThinkBlocks.withoutThinking(reply.text());
    }

    private static List<Integer> allIndices() {
        return java.util.stream.IntStream.rangeClosed(1, MODULES.size()).boxed().toList();
    }

    private static String numbered(List<Integer> numbers) {
        StringBuilder text = new StringBuilder();
        for (int number : numbers) {
            text.append(number).append(". ").append(MODULES.get(number - 1)).append('\n');
        }
        return text.toString().stripTrailing();
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static List<String> loadModules() {
        try (InputStream in = SelfDiscover.class.getResourceAsStream("self-discover-reasoning-modules.txt")) {
            if (in == null) {
                throw new IllegalStateException("self-discover-reasoning-modules.txt is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A task's discovered reasoning structure.
     *
     * @param selectedModules module numbers (1-39) chosen in SELECT; empty if the reply named none recognisably (its
     *                        text outside the model's thinking was then passed on)
     * @param adaptedModules  the ADAPT stage's reply outside the model's thinking, as the IMPLEMENT prompt holds it
     * @param structure       the IMPLEMENT stage's JSON object, pretty-printed
     * @param usage           the three calls
     */
    public record ReasoningStructure(List<Integer> selectedModules, String adaptedModules, String structure,
                                     Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public ReasoningStructure {
            selectedModules = List.copyOf(selectedModules);
            Objects.requireNonNull(adaptedModules, "adaptedModules");
            Objects.requireNonNull(structure, "structure");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /**
     * One solved instance.
     *
     * @param response the model's filled-in structure
     * @param answer   the extracted answer, if any
     * @param usage    the call
     */
    public record Solution(String response, Optional<String> answer, Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public Solution {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(answer, "answer");
            Objects.requireNonNull(usage, "usage");
        }
    }
}
