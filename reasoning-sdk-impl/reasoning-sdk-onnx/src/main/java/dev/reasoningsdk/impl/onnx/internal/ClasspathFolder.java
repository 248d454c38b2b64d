package dev.reasoningsdk.impl.onnx.internal;

import dev.reasoningsdk.api.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model folder shipped as classpath resources, as a directory on disk: the loaders read files by path (ONNX Runtime
 * and the Hugging Face tokenizer open them natively), which a resource inside a jar is not. A folder on the file
 * system (the build's classes directory) is used where it is; a folder inside a jar is copied once per JVM to a
 * temporary directory named like the resource folder, removed at exit. Not API.
 */
public final class ClasspathFolder {

    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    private ClasspathFolder() {
    }

    /**
     * The folder {@code resourceDir} (an absolute resource path such as {@code /dev/x/models/m}) holding
     * {@code files}.
     *
     * @throws ModelLoadException naming the resource when a file is missing or cannot be copied
     */
    public static Path of(String resourceDir, List<String> files) {
        Objects.requireNonNull(resourceDir, "resourceDir");
        Objects.requireNonNull(files, "files");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("files must name at least one file of " + resourceDir);
        }
        URL first = resource(resourceDir, files.get(0));
        if ("file".equals(first.getProtocol())) {
            try {
                Path folder = Path.of(first.toURI()).getParent();
                files.forEach(file -> resource(resourceDir, file));
                return folder;
            } catch (URISyntaxException e) {
                throw new ModelLoadException("resource " + first + " has no file path: " + e.getMessage(), e);
            }
        }
        try {
            return EXTRACTED.computeIfAbsent(resourceDir, dir -> extract(dir, files));
        } catch (UncheckedIOException e) {
            throw new ModelLoadException("cannot copy the model folder " + resourceDir + " out of the classpath: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static Path extract(String resourceDir, List<String> files) {
        try {
            Path parent = Files.createTempDirectory("reasoning-sdk-model");
            Path folder = parent.resolve(resourceDir.substring(resourceDir.lastIndexOf('/') + 1));
            Files.createDirectory(folder);
            parent.toFile().deleteOnExit();
            folder.toFile().deleteOnExit();
            for (String file : files) {
                Path target = folder.resolve(file);
                // Registered before the copy, so that it is deleted after the folder's other entries are (in reverse).
                target.toFile().deleteOnExit();
                try (InputStream in = resource(resourceDir, file).openStream()) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URL resource(String resourceDir, String file) {
        String name = resourceDir + "/" + file;
        URL url = ClasspathFolder.class.getResource(name);
        if (url == null) {
            throw new ModelLoadException("model resource " + name + " is not on the classpath");
        }
        return url;
    }
}
