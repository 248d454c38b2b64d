package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.onnx.internal.ClasspathFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded tiny reasoner: a 3.7 M-parameter character-level GPT trained for this project on multi-step
 * arithmetic word problems, answering with a chain of thought that ends {@code The answer is N.} (model card:
 * {@code dev/reasoningsdk/models/tiny-reasoner/README.md}). Deliberately imperfect and stochastic, so that
 * self-consistency, aggregation and confidence estimation have something to show offline.
 *
 * <p>It ships as a Hugging Face export folder (a character-level {@code tokenizer.json}, a chat template that writes
 * the trained format {@code Q: <question>\nA:} after {@code <bos>}, {@code config.json},
 * {@code generation_config.json} and the decoder-with-past graph {@code model.onnx}), so it is loaded by
 * {@link HuggingFaceOnnxModel} like any export: this class only finds the folder and holds the model's answer
 * convention. Generation stops at {@code <eos>} or at 320 tokens.
 *
 * <p>Defaults of {@link #create()}: {@link ExecutionProvider#configured()} (AUTO unless set) and 1 intra-op thread (its
 * matrices are too small to split well: on the shared 2-core test machine, 2 threads gave the same chains per second
 * as 1 for 20% more CPU).
 */
public final class TinyReasoner {

    /** The classpath folder of the embedded model. */
    public static final String FOLDER_RESOURCE = "/dev/reasoningsdk/models/tiny-reasoner";

    /** The trained weights the folder's {@code model.onnx} was built from (no KV cache; the model card's file). */
    public static final String TRAINED_MODEL_RESOURCE = FOLDER_RESOURCE + "/tiny-reasoner.onnx";

    /** The embedded model's id. */
    public static final String MODEL_ID = "tiny-reasoner@1";

    /** The answer pattern of the model's chains; the last match is the answer. */
    public static final String ANSWER_REGEX = "The answer is (\\d+)\\.";

    private static final Pattern ANSWER = Pattern.compile(ANSWER_REGEX);
    private static final List<String> FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", HuggingFaceOnnxModel.MODEL_FILE);

    private TinyReasoner() {
    }

    /**
     * The embedded model with the defaults (the configured provider, 1 intra-op thread).
     *
     * @throws ModelLoadException if the folder cannot be read from the classpath
     */
    public static HuggingFaceOnnxModel create() {
        return builder().intraOpThreads(1).build();
    }

    /**
     * A loader preset with the embedded folder and its id; set a session factory, or the provider and threads (the
     * loader's defaults otherwise, not {@link #create()}'s single thread).
     *
     * @throws ModelLoadException if the folder cannot be read from the classpath
     */
    public static HuggingFaceOnnxModel.Builder builder() {
        return HuggingFaceOnnxModel.builder().folder(folder()).modelId(MODEL_ID);
    }

    /**
     * The embedded export folder on disk: where it is when the classes are a directory, else copied once per JVM out
     * of the jar into a temporary directory.
     *
     * @throws ModelLoadException if a file of the folder is missing from the classpath or cannot be copied
     */
    public static Path folder() {
        return ClasspathFolder.of(FOLDER_RESOURCE, FILES);
    }

    /** The trained prompt format for a question: {@code Q: <question>\nA:} (what the chat template renders). */
    public static String prompt(String question) {
        Objects.requireNonNull(question, "question");
        return "Q: " + question + "\nA:";
    }

    /**
     * The answer of one of the model's chains: the number in the last {@code The answer is N.}, or empty when the
     * chain has none (the model card's rule; 0.07% of its eval samples). Reads at most the last
     * {@value ReplyWindow#MAX_CHARS} characters of the chain (see {@link ReplyWindow}), in time linear in them.
     */
    public static Optional<Integer> extractAnswer(String chain) {
        Objects.requireNonNull(chain, "chain");
        Matcher matcher = ReplyWindow.tailMatcher(ANSWER, chain);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        if (last == null || last.length() > 9) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(last));
    }
}
