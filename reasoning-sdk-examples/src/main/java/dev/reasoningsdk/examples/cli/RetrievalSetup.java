package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.SamplingConsistencySelfKnowledge;
import dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The embedded models of the retrieval commands (the MiniLM encoder and the tiny reasoner, on few threads because
 * the CLI shares its machine) and where the default data lives.
 */
final class RetrievalSetup implements AutoCloseable {

    final AllMiniLmL6V2Encoder encoder;
    final HuggingFaceOnnxModel reasoner;
    /** Runs the encoder pass while the tiny reasoner's hidden-state pass runs on the caller's thread. */
    final ExecutorService criteriaThread = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "uar-criteria");
        thread.setDaemon(true);
        return thread;
    });

    /** Which tiny reasoner a setup loads for the self-knowledge criterion. */
    enum Reasoner {
        /** None: the judge runs the encoder criteria only. */
        NONE,
        /** Hidden states from the float32 model, as the shipped head was trained. */
        FLOAT32,
        /** Hidden states from the int8 copy: what judging uses, for latency. */
        INT8_HIDDEN_STATES
    }

    /** A remote model whose self-knowledge is judged by sampling consistency, or null. */
    private final RemoteModel remote;

    RetrievalSetup(Reasoner reasoner) {
        this.encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
        this.reasoner = reasoner == Reasoner.NONE ? null : TinyReasoner.builder().intraOpThreads(1)
                .int8HiddenStates(reasoner == Reasoner.INT8_HIDDEN_STATES).build();
        this.remote = null;
    }

    /**
     * The encoder heads, and self-knowledge of a remote model by sampling consistency (5 samples at T = 0.8,
     * seeds 0-4): a black box has no hidden states to read.
     */
    RetrievalSetup(RemoteModel remote) {
        this.encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
        this.reasoner = null;
        this.remote = remote;
    }

    /**
     * UAR with the shipped heads and, when loaded, the tiny reasoner's hidden-state self-knowledge or a remote
     * model's sampling-consistency self-knowledge.
     */
    UnifiedActiveRetrieval judge() {
        UnifiedActiveRetrieval.Builder builder = UnifiedActiveRetrieval.builder().parallelCriteria(criteriaThread)
                .criterion(dev.reasoningsdk.impl.retrieval.EncoderHeadCriterion.defaultIntent(encoder))
                .criterion(dev.reasoningsdk.impl.retrieval.EncoderHeadCriterion.defaultKnowledge(encoder))
                .criterion(dev.reasoningsdk.impl.retrieval.EncoderHeadCriterion.defaultTime(encoder));
        if (reasoner != null) {
            builder.criterion(HiddenStateSelfKnowledge.tinyReasoner(reasoner));
        }
        if (remote != null) {
            builder.criterion(SamplingConsistencySelfKnowledge.builder().sampler(remote.sampler(0.8), 0.8).build());
        }
        return builder.build();
    }

    @Override
    public void close() {
        criteriaThread.shutdownNow();
        encoder.close();
        if (reasoner != null) {
            reasoner.close();
        }
    }

    /** The criterion's CLI name: intent, knowledge, time, self-knowledge. */
    static String cliName(CriterionKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The default {@code data} directory; a clear error asking for {@code --data} when there is none. */
    static Path defaultDataDir() throws NoSuchFileException {
        return SharedData.locate();
    }

    /** {@code file} relative to the data directory when it is inside it, else its file name. */
    static String dataName(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        for (Path dir = absolute.getParent(); dir != null; dir = dir.getParent()) {
            if (dir.getFileName() != null && dir.getFileName().toString().equals("data")) {
                return dir.relativize(absolute).toString();
            }
            if (dir.getFileName() != null && dir.getFileName().toString().equals("models")) {
                return "models/" + dir.relativize(absolute);
            }
        }
        return absolute.getFileName().toString();
    }
}
