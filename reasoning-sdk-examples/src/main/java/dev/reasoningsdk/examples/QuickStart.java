package dev.reasoningsdk.examples;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.confidence.ConfidenceGatedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.LocalCausalLmChatModel;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.TinyReasoner;

/**
 * The README's quick start, runnable offline on the embedded tiny reasoner: Aggregation of Reasoning picks an answer
 * by judging sampled chains, step search grows one chain step by step under a token budget, and a confidence-gated
 * {@code ChatModel} answers or refuses.
 */
public final class QuickStart {

    private QuickStart() {
    }

    /** Solves one problem with AoR on the tiny reasoner. */
    public static AggregationResult aggregate(CausalLanguageModel model, String question) {
        AggregationOfReasoning aor = AggregationOfReasoning.builder()
                .extractor(AnswerExtractors.numeric())
                .scorer(ArithmeticVerifier.create())
                .sampler(LocalModelSampler.of(model), 0.8)
                .build();
        return aor.solve(question);                  // the sampler renders the model's own prompt around it
    }

    /** Searches for a chain step by step (the README's step-search example), best-first, at most 512 tokens. */
    public static StepSearchResult searchSteps(CausalLanguageModel model, String question) {
        StepSearch search = StepSearch.builder().model(model)
                .strategy(StepSearch.Strategy.BEST_FIRST)
                .maxTokens(512)
                .seed(7)
                .build();
        return search.solve(question);
    }

    /** Asks a confidence-gated chat model backed by the tiny reasoner. */
    public static ChatResponse askGated(CausalLanguageModel model, String question) {
        ChatModel sampling = LocalCausalLmChatModel.builder().model(model).temperature(0.8).build();
        ChatModel gated = ConfidenceGatedChatModel.builder().delegate(sampling).threshold(0.6).build();
        return gated.chat(ChatRequest.builder().messages(UserMessage.from(question)).build());
    }

    /** Runs both and prints what they did. */
    public static void main(String[] args) {
        String question = args.length > 0 ? String.join(" ", args)
                : "Sam has 14 apples. He buys 7 more. He gives 5 to Ana. Then he doubles them. How many apples does "
                + "Sam have?";
        try (CausalLanguageModel model = TinyReasoner.create()) {
            AggregationResult result = aggregate(model, question);
            System.out.printf("AoR answer %s (margin %.1f, stop %s, %d samples, %d ms)%n",
                    result.answer().orElse("none"), result.margin(), result.stopReason(), result.usage().samples(),
                    result.usage().wallTime().toMillis());
            StepSearchResult search = searchSteps(model, question);
            System.out.printf("step search answer %s (%d steps, %d expansions, %d generated tokens)%n",
                    search.answer().orElse("none"), search.path().size(), search.expansions(),
                    search.generatedTokens());
            ChatResponse response = askGated(model, question);
            System.out.println("gated answer: " + response.aiMessage().text());
            System.out.println("metadata: " + response.metadata());
        }
    }
}
