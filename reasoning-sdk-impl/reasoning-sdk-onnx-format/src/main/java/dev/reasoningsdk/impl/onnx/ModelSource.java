package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.api.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a model's bytes come from: a file, a classpath resource or an array already in memory. Nothing is read
 * until {@link #readBytes()} (or ONNX Runtime, for a file) asks for it, so a source is cheap to build and to keep.
 *
 * <p>Immutable and thread-safe. A {@link #bytes(String, byte[]) bytes} source keeps its own copy of the array.
 */
public final class ModelSource {

    /**
     * The largest model held in one array. Java arrays stop just short of 2 GiB, and so does one protobuf message,
     * which bounds every single-file ONNX model anyway.
     */
    public static final long MAX_IN_MEMORY_BYTES = Integer.MAX_VALUE - 8L;

    private enum Kind { FILE, CLASSPATH, BYTES }

    private final Kind kind;
    private final String name;
    private final Path file;
    private final String resource;
    private final byte[] bytes;

    private ModelSource(Kind kind, String name, Path file, String resource, byte[] bytes) {
        this.kind = kind;
        this.name = name;
        this.file = file;
        this.resource = resource;
        this.bytes = bytes;
    }

    /** A model file on disk; its name is the path as given. */
    public static ModelSource file(Path path) {
        Objects.requireNonNull(path, "path");
        return new ModelSource(Kind.FILE, path.toString(), path, null, null);
    }

    /**
     * A classpath resource, looked up with this library's class loader and then the thread's context class loader
     * (a leading {@code /} is optional); its name is {@code classpath:/<resource>}.
     *
     * @throws IllegalArgumentException if the path is blank
     */
    public static ModelSource classpath(String resourcePath) {
        Objects.requireNonNull(resourcePath, "resourcePath");
        String normalised = resourcePath.startsWith("/") ? resourcePath.substring(1) : resourcePath;
        if (normalised.isBlank()) {
            throw new IllegalArgumentException("resourcePath must not be blank");
        }
        return new ModelSource(Kind.CLASSPATH, "classpath:/" + normalised, null, normalised, null);
    }

    /**
     * A model already in memory, under a name used in messages and logs.
     *
     * @throws IllegalArgumentException if the name is blank
     */
    public static ModelSource bytes(String name, byte[] bytes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return new ModelSource(Kind.BYTES, name, null, null, bytes.clone());
    }

    /** The name used in messages and logs: the path, {@code classpath:/...}, or the given name. */
    public String name() {
        return name;
    }

    /** The file, when this source is one; ONNX Runtime can then read it directly. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Reads the whole model.
     *
     * @throws ModelLoadException naming the model when it is missing, unreadable, a directory or another file that is
     *                            not a regular file (a FIFO, a device), or larger than {@link #MAX_IN_MEMORY_BYTES}
     */
    public byte[] readBytes() {
        return switch (kind) {
            case BYTES -> bytes.clone();
            case FILE -> readFile();
            case CLASSPATH -> readResource();
        };
    }

    private byte[] readFile() {
        try {
            long size = requireRegularFile(name, file).size();
            if (size > MAX_IN_MEMORY_BYTES) {
                throw new ModelLoadException("model " + name + " is " + size + " bytes, more than the "
                        + MAX_IN_MEMORY_BYTES + " one array can hold");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("model " + name + " not found: no such file", e);
        } catch (IOException e) {
            throw new ModelLoadException("model " + name + " could not be read: " + e, e);
        }
    }

    /**
     * The attributes of model file {@code file}, which must be a regular file (links followed): a FIFO would block
     * a read forever and {@code /dev/zero} never ends (its size reads as 0). Shared with the session factory, which
     * hands the path to ONNX Runtime.
     *
     * @throws ModelLoadException naming the model if it is a directory or not a regular file
     * @throws NoSuchFileException if nothing is there
     */
    static BasicFileAttributes requireRegularFile(String name, Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new ModelLoadException("model " + name + " is " + (attributes.isDirectory()
                    ? "a directory, not a model file" : "a FIFO, socket or device, not a regular file"));
        }
        return attributes;
    }

    private byte[] readResource() {
        try (InputStream in = openResource(resource)) {
            if (in == null) {
                throw new ModelLoadException("model " + name + " not found: no such classpath resource");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModelLoadException("model " + name + " could not be read: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new ModelLoadException("model " + name + " is too large to hold in memory", e);
        }
    }

    /** This library's loader first, then the thread's context loader (application servers, plugin hosts). */
    private static InputStream openResource(String resource) {
        InputStream in = ModelSource.class.getClassLoader().getResourceAsStream(resource);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (in == null && context != null) {
            in = context.getResourceAsStream(resource);
        }
        return in;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ModelSource that && kind == that.kind && name.equals(that.name)
                && (kind != Kind.BYTES || java.util.Arrays.equals(bytes, that.bytes));
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, name);
    }

    @Override
    public String toString() {
        return "ModelSource[" + name + "]";
    }
}
