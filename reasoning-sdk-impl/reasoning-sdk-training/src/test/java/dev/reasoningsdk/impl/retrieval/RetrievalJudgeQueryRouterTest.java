package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.SentenceEncoderEmbeddingModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.RetrievalAugmentor;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The worked example: an {@code AiServices} assistant whose {@code DefaultRetrievalAugmentor} routes through the
 * retrieval judge to an in-memory store filled through our encoder.
 */
class RetrievalJudgeQueryRouterTest {

    private static final List<String> DOCUMENTS = List.of(
            "Aurora 4.2, the latest release of the Aurora library, shipped on 3 November with streaming support.",
            "The Aurora library is maintained by a small team and licensed under Apache 2.0.",
            "Bread rises because yeast ferments sugars and releases carbon dioxide.");

    interface Assistant {
        String chat(String message);
    }

    private final SentenceEncoder encoder = RetrievalTestSetup.encoder();
    private final RetrievalJudge judge = RetrievalTestSetup.judge(encoder);
    private final List<RetrievalDecision> decisions = new CopyOnWriteArrayList<>();
    private final ScriptedChatModel chatModel = ScriptedChatModel.byRule(request -> "scripted answer");

    private ContentRetriever retriever(double minScore) {
        EmbeddingModel embeddingModel = SentenceEncoderEmbeddingModel.of(encoder);
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<TextSegment> segments = DOCUMENTS.stream().map(TextSegment::from).toList();
        store.addAll(embeddingModel.embedAll(segments).content(), segments);
        return EmbeddingStoreContentRetriever.builder().embeddingStore(store).embeddingModel(embeddingModel)
                .maxResults(1).minScore(minScore).build();
    }

    private Assistant assistant(double minScore) {
        RetrievalAugmentor augmentor = DefaultRetrievalAugmentor.builder()
                .queryRouter(RetrievalJudgeQueryRouter.builder().judge(judge).retriever(retriever(minScore))
                        .listener((query, decision) -> decisions.add(decision)).build())
                .contentAggregator(new SourceRequiringContentAggregator())
                .build();
        return AiServices.builder(Assistant.class).chatModel(chatModel).retrievalAugmentor(augmentor).build();
    }

    private String lastUserText() {
        List<dev.langchain4j.data.message.ChatMessage> messages = chatModel.requests().get(chatModel.calls() - 1).messages();
        return ((UserMessage) messages.get(messages.size() - 1)).singleText();
    }

    @Test
    void retrievesForALatestQuestion() {
        String answer = assistant(0.3).chat("What is the latest release of the Aurora library?");

        assertThat(answer).isEqualTo("scripted answer");
        assertThat(decisions).singleElement().satisfies(d -> assertThat(d.retrieve()).isTrue());
        assertThat(lastUserText()).contains("Aurora 4.2").contains("What is the latest release");
    }

    @Test
    void doesNotRetrieveForARewrite() {
        String request = "Rewrite this sentence in the passive voice: The cat chased the mouse.";

        assistant(0.3).chat(request);

        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.retrieve()).isFalse();
            assertThat(d.decidedBy()).contains(CriterionKind.KNOWLEDGE);
        });
        assertThat(lastUserText()).isEqualTo(request);
    }

    @Test
    void skipsTheLlmWhenRetrievalWasNeededButFoundNothing() {
        Assistant assistant = assistant(0.99);

        assertThatThrownBy(() -> assistant.chat("What is the latest release of the Aurora library?"))
                .isInstanceOf(NoSourcesFoundException.class)
                .satisfies(e -> assertThat(((NoSourcesFoundException) e).query()).contains("latest release"));
        assertThat(chatModel.requests()).isEmpty();
        assertThat(decisions).singleElement().satisfies(d -> assertThat(d.retrieve()).isTrue());
    }

    @Test
    void routesToNoRetrieverWhenTheJudgeSaysNo() {
        RetrievalJudgeQueryRouter router = RetrievalJudgeQueryRouter.builder().judge(judge).retriever(retriever(0))
                .build();

        assertThat(router.route(Query.from("Rewrite this sentence so it sounds more formal: hey, send me the report.")))
                .isEmpty();
        assertThat(router.route(Query.from("Search the web for the latest Aurora release notes."))).hasSize(1);
        assertThatThrownBy(() -> RetrievalJudgeQueryRouter.builder().judge(judge).build())
                .isInstanceOf(IllegalStateException.class);
    }
}
