package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.onnx.internal.ClasspathFolder;
import java.nio.file.Path;
import java.util.List;

/** Temporary: the embedded folder through the common loader (becomes TinyReasoner's factory). */
public final class EmbeddedTinyReasoner {

    /** The classpath folder of the embedded model, a Hugging Face export folder. */
    public static final String FOLDER_RESOURCE = "/dev/reasoningsdk/models/tiny-reasoner";
    private static final List<String> FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", HuggingFaceOnnxModel.MODEL_FILE);

    private EmbeddedTinyReasoner() {
    }

    /** The embedded folder on disk. */
    public static Path folder() {
        return ClasspathFolder.of(FOLDER_RESOURCE, FILES);
    }

    /** A builder preset with the embedded folder, its id and 1 intra-op thread. */
    public static HuggingFaceOnnxModel.Builder builder() {
        return HuggingFaceOnnxModel.builder().folder(folder()).modelId("tiny-reasoner@1");
    }
}
