package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.api.model.SentenceEncoder;

/** The real encoder and the shipped heads, loaded once for the tests that need them. */
final class RetrievalTestSetup {

    private static AllMiniLmL6V2Encoder encoder;

    private RetrievalTestSetup() {
    }

    /** The embedded MiniLM encoder on one intra-op thread, shared by the tests of this JVM. */
    static synchronized SentenceEncoder encoder() {
        if (encoder == null) {
            encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
        }
        return encoder;
    }

    /** UAR with the shipped intent, knowledge and time heads and no self-knowledge criterion. */
    static RetrievalJudge judge(SentenceEncoder encoder) {
        return UnifiedActiveRetrieval.builder()
                .criterion(EncoderHeadCriterion.defaultIntent(encoder))
                .criterion(EncoderHeadCriterion.defaultKnowledge(encoder))
                .criterion(EncoderHeadCriterion.defaultTime(encoder))
                .build();
    }
}
