package dev.reasoningsdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.RetrievalAugmentor;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.llm.SentenceEncoderEmbeddingModel;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.RetrievalJudgeQueryRouter;
import dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docs/retrieval.md's LangChain4j RAG wiring, as written there, on the embedded encoder and tiny reasoner; the
 * application's {@code chatModel} is LangChain4j's own OpenAI client talking over HTTP to the tiny reasoner behind
 * {@link LocalOpenAiServer}, and a chat-model listener records what the assistant sent it.
 */
class RetrievalDocSnippetTest {

    private static final Logger log = LoggerFactory.getLogger(RetrievalDocSnippetTest.class);
    private static final String FACT = "Argentina won the 2022 FIFA World Cup.";

    /** The doc's assistant. */
    interface Assistant {
        String chat(String message);
    }

    /** The user message of every request the assistant sent to the chat model. */
    private final List<String> sent = new CopyOnWriteArrayList<>();

    private final ChatModelListener recorder = new ChatModelListener() {
        @Override
        public void onRequest(ChatModelRequestContext context) {
            List<dev.langchain4j.data.message.ChatMessage> messages = context.chatRequest().messages();
            sent.add(((UserMessage) messages.get(messages.size() - 1)).singleText());
        }
    };

    /** Runs the snippet with {@code chatModel}, then asks its assistant each question; returns the replies. */
    private Map<String, String> runSnippet(ChatModel chatModel, List<String> questions) {
        // From here to the snippet's end, marked below: docs/retrieval.md's code, as written there.
        try (AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.create();
             CausalLanguageModel reasoner = TinyReasoner.create()) {
            RetrievalJudge judge = UnifiedActiveRetrieval.withDefaultHeads(encoder,
                    HiddenStateSelfKnowledge.tinyReasoner(reasoner));
            EmbeddingModel embeddings = SentenceEncoderEmbeddingModel.of(encoder);   // the same encoder for the store
            InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
            TextSegment fact = TextSegment.from("Argentina won the 2022 FIFA World Cup.");
            store.add(embeddings.embed(fact).content(), fact);

            RetrievalAugmentor augmentor = DefaultRetrievalAugmentor.builder()
                    .queryRouter(RetrievalJudgeQueryRouter.builder().judge(judge)
                            .retriever(EmbeddingStoreContentRetriever.builder().embeddingStore(store)
                                    .embeddingModel(embeddings).maxResults(1).build())
                            .listener((query, decision) -> log.info("{}: {}", query.text(), decision))
                            .build())
                    .build();
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(chatModel)
                    .retrievalAugmentor(augmentor).build();
            // The doc's snippet ends here; the test uses the assistant while the models are open.
            Map<String, String> replies = new java.util.LinkedHashMap<>();
            questions.forEach(question -> replies.put(question, assistant.chat(question)));
            return replies;
        }
    }

    @Test
    void theAssistantGetsTheStoredFactOnlyWhenTheJudgeSaysRetrieve() {
        String recent = "Which country won the most recent World Cup?";
        String dated = "Who won the 2022 World Cup?";
        String rewrite = "Rewrite this sentence in the passive voice: The cat chased the mouse.";
        try (CausalLanguageModel served = TinyReasoner.create();
             LocalOpenAiServer server = LocalOpenAiServer.start(served)) {
            ChatModel chatModel = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                    .modelName(server.modelName()).seed(42).maxTokens(32).listeners(List.of(recorder)).build();

            Map<String, String> replies = runSnippet(chatModel, List.of(recent, dated, rewrite));

            assertThat(replies).hasSize(3).doesNotContainValue(null);
        }
        // One HTTP request per question; the fact (the store's only segment, maxResults 1, no minimum score) is in
        // the prompt exactly when the router sent the query to the retriever.
        assertThat(sent).hasSize(3);
        assertThat(sent.get(0)).contains(recent).contains(FACT);      // the time head: "most recent"
        // What the doc warns of: the shipped self-knowledge head is the tiny reasoner's, which calls this known.
        assertThat(sent.get(1)).isEqualTo(dated);
        assertThat(sent.get(2)).isEqualTo(rewrite);                   // the knowledge head: no facts needed
    }
}
