package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.LocalCausalLmChatModel;
import dev.reasoningsdk.impl.prompt.SelfDiscover;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On the qwen3-tiny-random export (the real Qwen3 tokenizer and chat template): what the SDK sends back of a reasoning
 * model's reply is what Qwen3's template keeps of an earlier assistant turn, and SELF-DISCOVER's follow-up prompts,
 * which no template cleans because they are user messages, carry the earlier stages' answers and not their thinking,
 * on the model in process and, in tokens of the real tokenizer, on a fixed scripted reply set.
 */
class Qwen3ThinkingFedBackTest {

    /** A reply as a reasoning model writes it when nothing parses the thinking out. */
    private static final String REPLY = "<think>\nThe user asks for 6 times 7. 6 * 7 = 40? No: 6 * 7 = 42.\n"
            + "</think>\n\n6 * 7 = 42. The answer is 42.";

    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        model = Qwen3Fixture.open();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void qwen3sTemplateRendersAnEarlierTurnFromTheWholeReplyAsFromItsAnswerWithoutThinking() {
        String question = "What is 6 times 7?";
        String followUp = "Reply with \"Confidence: N\".";
        String fromWholeReply = model.formatChat(List.of(ChatMessage.user(question), ChatMessage.assistant(REPLY),
                ChatMessage.user(followUp)), true, Map.of());
        String fromAnswer = model.formatChat(List.of(ChatMessage.user(question),
                ChatMessage.assistant(ThinkBlocks.withoutThinking(REPLY)), ChatMessage.user(followUp)), true, Map.of());

        assertThat(fromAnswer).isEqualTo(fromWholeReply).doesNotContain("40");
    }

    @Test
    void selfDiscoverOnTheModelInProcessPassesOnTheAnswersNotTheThinking() {
        LocalCausalLmChatModel local = LocalCausalLmChatModel.builder().model(model).conversation(true)
                .temperature(0).maxTokens(16).build();
        ReasoningWrapper reasoning = new ReasoningWrapper(local);
        SelfDiscover.ReasoningStructure structure = SelfDiscover.of(reasoning, AnswerExtractors.numeric())
                .discover(List.of("What is 6 times 7?"));

        assertThat(structure.structure()).contains("Step 1: multiply");
        List<String> thoughts = reasoning.thoughts;
        assertThat(thoughts).hasSize(3).allMatch(thought -> !thought.isBlank());
        assertThat(reasoning.prompts.get(1)).contains("Selected module descriptions:\n" + stageAnswer("Select"));
        assertThat(reasoning.prompts.get(2)).contains("Adapted module descriptions:\n" + stageAnswer("Rephrase"));
        for (int stage = 1; stage < 3; stage++) {
            assertThat(reasoning.prompts.get(stage)).doesNotContain(thoughts.get(stage - 1).strip());
        }
    }

    /**
     * The measured figure: the prompt tokens of SELF-DISCOVER's ADAPT and IMPLEMENT calls on a fixed scripted reply
     * set with Qwen3-sized thinking, counted by the real tokenizer over the real chat template, printed for the
     * record; the prompts hold the answers and not the thinking.
     */
    @Test
    void selfDiscoverFollowUpPromptTokensOnAScriptedReasoningRun() {
        String selectThinking = "<think>\n" + "Let me look at the task. It is arithmetic: a product of two numbers. "
                + "Module 1 is about experiments, not useful. Module 9 breaks the problem down, useful. "
                + "Module 10 is critical thinking, maybe. Module 16 asks for the core issue. Module 17 for the "
                + "underlying causes, not relevant. Module 20 asks for relevant data. Module 39 is step by step. "
                + "I think 9, 16, 20 and 39 are the ones, though 10 could matter too; no, keep it short.\n</think>\n\n";
        String adaptThinking = "<think>\n" + "I need to rephrase each module for multiplying numbers. For module 9, "
                + "breaking the problem down means splitting a factor into tens and units. For module 16, the core "
                + "issue is the product itself. For module 20, the data are the two factors. For module 39, step "
                + "by step means multiply then add. Should I solve it? 6 * 7 = 42, but the instruction says not to "
                + "solve it, so I leave the number out.\n</think>\n\n";
        Function<String, String> replies = prompt -> prompt.startsWith("Select") ? selectThinking
                + "9. How can I break down this problem into smaller, more manageable parts?\n"
                + "16. What is the core issue or problem that needs to be addressed?\n"
                + "39. Let's make a step by step plan and implement it with good notation and explanation."
                : prompt.startsWith("Rephrase") ? adaptThinking
                + "9. Split each factor into parts that are easy to multiply.\n16. Name the product asked for.\n"
                + "39. Multiply the parts, then add the partial products."
                : "<think>\nA JSON plan with three steps.\n</think>\n\n{\"Step 1: split the factors\": \"\", "
                + "\"Step 2: multiply the parts\": \"\", \"Step 3: add the partial products\": \"\", "
                + "\"Final answer\": \"\"}";
        ScriptedChatModel scripted = ScriptedChatModel.builder()
                .fallback(request -> replies.apply(ScriptedChatModel.userText(request)))
                .tokenUsage(request -> Optional.of(new TokenUsage(promptTokens(request), 0))).build();

        SelfDiscover.of(scripted, AnswerExtractors.numeric()).discover(List.of("What is 6 times 7?"));

        List<Integer> tokens = scripted.requests().stream().map(Qwen3ThinkingFedBackTest::promptTokens).toList();
        System.out.printf("SELF-DISCOVER prompt tokens (Qwen3 tokenizer and template): SELECT %d, ADAPT %d, "
                + "IMPLEMENT %d; follow-up calls %d%n", tokens.get(0), tokens.get(1), tokens.get(2),
                tokens.get(1) + tokens.get(2));
        assertThat(scripted.userTexts().subList(1, 3)).noneMatch(prompt -> prompt.contains("Module 1 is about")
                || prompt.contains("I need to rephrase"));
    }

    /** The prompt tokens of {@code request} as the model in process counts them: its template, its tokenizer. */
    private static int promptTokens(ChatRequest request) {
        List<ChatMessage> messages = request.messages().stream().map(message -> message instanceof SystemMessage
                ? ChatMessage.of("system", ((SystemMessage) message).text())
                : ChatMessage.user(((UserMessage) message).singleText())).toList();
        return model.encode(model.formatChat(messages, true, Map.of())).length;
    }

    /** What a reasoning model answers after its thinking at each SELF-DISCOVER stage. */
    private static String stageAnswer(String prompt) {
        if (prompt.startsWith("Select")) {
            return "Break the problem into parts.";
        }
        return prompt.startsWith("Rephrase") ? "Multiply the factors one at a time."
                : "{\"Step 1: multiply\": \"\", \"Final answer\": \"\"}";
    }

    /**
     * The model in process as a reasoning model whose thinking is left in its reply: the random weights never close a
     * think block themselves, so what they write is put in one, before the stage's answer. Records each prompt.
     */
    private static final class ReasoningWrapper implements ChatModel {
        private final ChatModel local;
        private final List<String> prompts = new ArrayList<>();
        private final List<String> thoughts = new ArrayList<>();

        ReasoningWrapper(ChatModel local) {
            this.local = local;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            String prompt = ScriptedChatModel.userText(request);
            prompts.add(prompt);
            ChatResponse real = local.chat(request);
            String thought = real.aiMessage().text();
            thoughts.add(thought);
            return ChatResponse.builder().aiMessage(AiMessage.from("<think>\n" + thought + "\n</think>\n\n"
                    + stageAnswer(prompt))).tokenUsage(real.tokenUsage()).finishReason(FinishReason.STOP).build();
        }
    }
}
