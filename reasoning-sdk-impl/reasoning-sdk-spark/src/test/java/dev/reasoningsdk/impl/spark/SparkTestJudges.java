package dev.reasoningsdk.impl.spark;

import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The real judge the Spark tests run (shipped heads on MiniLM, the tiny reasoner's self-knowledge) and a session. */
final class SparkTestJudges {

    private SparkTestJudges() {
    }

    /** UAR with the shipped heads and the int8 tiny reasoner's hidden-state self-knowledge, one thread each. */
    static ExecutorResource<RetrievalJudge> uar() {
        return ExecutorResource.of("test-uar-minilm-tiny-reasoner", closer -> build(closer::register));
    }

    /** The same judge in process; the caller closes the returned models through {@code register}. */
    static RetrievalJudge build(java.util.function.Function<AutoCloseable, AutoCloseable> register) {
        AllMiniLmL6V2Encoder encoder = (AllMiniLmL6V2Encoder) register.apply(
                AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build());
        HuggingFaceOnnxModel reasoner = (HuggingFaceOnnxModel) register.apply(
                TinyReasoner.builder().intraOpThreads(1).int8HiddenStates(true).build());
        return UnifiedActiveRetrieval.withDefaultHeads(encoder, HiddenStateSelfKnowledge.tinyReasoner(reasoner));
    }

    /** The labelled retrieval-need queries shipped with the project (MetaTool). */
    static Path retrievalQueries() {
        return ProjectData.require("data/retrieval_need/metatool_tool_awareness.jsonl");
    }

    /** A quiet local session with {@code threads} task threads. */
    static SparkSession session(int threads) {
        return SparkSession.builder().master("local[" + threads + "]").appName("reasoning-sdk-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }
}
