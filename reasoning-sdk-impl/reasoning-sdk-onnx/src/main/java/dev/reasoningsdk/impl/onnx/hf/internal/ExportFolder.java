package dev.reasoningsdk.impl.onnx.hf.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.DataFileException;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.onnx.internal.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A Hugging Face export folder's files, each reached through the model-folder rule ({@link ModelFolder}: the real
 * path must be inside the folder, or inside its own repository's blobs for a hub cache snapshot), so that a link
 * cannot make the loader read a file the model's publisher did not ship. Every failure is a
 * {@link ModelLoadException} naming the file and the reason.
 */
public final class ExportFolder {

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).build();

    private final Path folder;
    private final ModelFolder rule;

    private ExportFolder(Path folder, ModelFolder rule) {
        this.folder = folder;
        this.rule = rule;
    }

    /**
     * The folder.
     *
     * @throws ModelLoadException if it does not exist or is not a directory
     */
    public static ExportFolder of(Path folder) {
        Objects.requireNonNull(folder, "folder");
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            // The usual slip: the graph or a config file given instead of the export folder that holds it.
            throw new ModelLoadException("model folder " + folder + " is a file, not a folder: give the export "
                    + "folder that holds config.json, the tokenizer and the graph"
                    + (folder.getParent() != null ? " (" + folder.getParent() + "?)" : ""));
        }
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException("model folder " + folder + " not found: no such directory");
        }
        try {
            return new ExportFolder(folder, ModelFolder.of(folder));
        } catch (IOException e) {
            throw new ModelLoadException("model folder " + folder + " could not be resolved: " + e, e);
        }
    }

    /** The folder as given. */
    public Path path() {
        return folder;
    }

    /** Whether the folder holds a file of that name (a link is followed, wherever it leads). */
    public boolean has(String name) {
        return Files.exists(folder.resolve(name));
    }

    /**
     * The path of a file of the folder, checked against the model-folder rule.
     *
     * @throws ModelLoadException naming the file if it is missing, not a regular file, or really outside the folder
     */
    public Path file(String name) {
        Path file = folder.resolve(name);
        if (!Files.exists(file)) {
            throw refuse(name, "missing");
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw refuse(name, "its real path could not be resolved (" + e + ")");
        }
        if (!rule.holds(real)) {
            throw refuse(name, "it is a link to " + real + ", outside " + rule.describe("the model's folder"));
        }
        if (!Files.isRegularFile(real)) {
            throw refuse(name, "not a regular file");
        }
        return file;
    }

    /**
     * A JSON object file of the folder (duplicate keys refused, as a second value would silently win).
     *
     * @throws ModelLoadException naming the file if it is missing, outside the folder, not UTF-8, or not a JSON
     *                            object
     */
    public JsonNode json(String name) {
        String text = text(name);
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw refuse(name, "not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ")");
        }
        if (node == null || !node.isObject()) {
            throw refuse(name, "not a JSON object");
        }
        return node;
    }

    /** {@link #json(String)} when the file exists, else empty. */
    public Optional<JsonNode> optionalJson(String name) {
        return has(name) ? Optional.of(json(name)) : Optional.empty();
    }

    /**
     * A UTF-8 text file of the folder.
     *
     * @throws ModelLoadException naming the file if it is missing, outside the folder or not UTF-8
     */
    public String text(String name) {
        Path file = file(name);
        try {
            return TextFiles.read(file);
        } catch (DataFileException e) {
            throw refuse(name, e.getMessage());
        } catch (NoSuchFileException e) {
            throw refuse(name, "missing");
        } catch (IOException e) {
            throw refuse(name, "could not be read (" + e + ")");
        }
    }

    /** A load failure naming {@code name} in this folder and the reason. */
    public ModelLoadException refuse(String name, String reason) {
        return new ModelLoadException("model folder " + folder + ": " + name + ": " + reason);
    }
}
