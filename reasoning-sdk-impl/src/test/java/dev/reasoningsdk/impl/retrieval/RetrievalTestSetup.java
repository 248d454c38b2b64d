package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.onnx.SentenceEncoder;
import java.util.regex.Pattern;

/** The encoder and judge of the LangChain4j example tests. */
final class RetrievalTestSetup {

    private static final Pattern TASK = Pattern.compile("(?i)^(rewrite|translate|sort|summarise|summarize)\\b");

    private RetrievalTestSetup() {
    }

    static SentenceEncoder encoder() {
        return new FakeEncoder("fake-encoder@1", 256);
    }

    /** Rules for intent and time, a keyword stand-in for the knowledge head, no self-knowledge. */
    static RetrievalJudge judge(SentenceEncoder encoder) {
        return UnifiedActiveRetrieval.builder()
                .criterion(RuleCriterion.intent())
                .criterion(new dev.reasoningsdk.api.retrieval.Criterion() {
                    @Override
                    public CriterionKind kind() {
                        return CriterionKind.KNOWLEDGE;
                    }

                    @Override
                    public CriterionResult evaluate(String query) {
                        return new CriterionResult(CriterionKind.KNOWLEDGE, TASK.matcher(query).find() ? 0.1 : 0.9,
                                "keyword", Usage.NONE);
                    }
                })
                .criterion(RuleCriterion.time())
                .build();
    }
}
