package dev.reasoningsdk.examples.spark;

import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval;
import dev.reasoningsdk.impl.spark.ExecutorResource;
import org.apache.spark.sql.SparkSession;

/**
 * The judge of the Spark example job and bench: Unified Active Retrieval with the shipped intent, knowledge and time
 * heads on the embedded MiniLM encoder and the int8 tiny reasoner's hidden-state self-knowledge, every ONNX session
 * on one intra-op thread so that one task uses one core (Spark's parallelism is the tasks).
 */
public final class SparkJudges {

    private SparkJudges() {
    }

    /** The judge as an executor resource: built once per executor JVM, closed when it ends. */
    public static ExecutorResource<RetrievalJudge> uar() {
        return ExecutorResource.of("examples-uar-minilm-tiny-reasoner-int8", closer -> {
            AllMiniLmL6V2Encoder encoder = closer.register(AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build());
            HuggingFaceOnnxModel reasoner = closer.register(TinyReasoner.builder().intraOpThreads(1)
                    .int8HiddenStates(true).build());
            return UnifiedActiveRetrieval.withDefaultHeads(encoder, HiddenStateSelfKnowledge.tinyReasoner(reasoner));
        });
    }

    /** A local session with {@code threads} task threads, no UI, bound to the loopback address. */
    public static SparkSession local(int threads, String name) {
        return SparkSession.builder().master("local[" + threads + "]").appName(name)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }
}
