package dev.reasoningsdk.impl.onnx.internal;

import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * Not API: the protobuf message behind an {@link OnnxModelFile}, for this project's code that builds or inspects
 * graphs (the decoder-with-past graph, int8 quantization, hidden-state outputs). The generated classes are internal,
 * so {@code OnnxModelFile} keeps the two methods that take or return them package-private, and this class reaches
 * them with a private lookup, as OpenTelemetry's {@code ...internal.SdkTracerProviderUtil} reaches its SDK's
 * package-private setters: the public class shows no generated type, and no public hook can be called in its place.
 */
public final class OnnxModelProtos {

    private static final MethodHandle PROTO;
    private static final MethodHandle OF;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(OnnxModelFile.class, MethodHandles.lookup());
            PROTO = lookup.findVirtual(OnnxModelFile.class, "proto", MethodType.methodType(ModelProto.class));
            OF = lookup.findStatic(OnnxModelFile.class, "of",
                    MethodType.methodType(OnnxModelFile.class, String.class, ModelProto.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OnnxModelProtos() {
    }

    /** The model's protobuf message (immutable, as every generated message is). */
    public static ModelProto proto(OnnxModelFile model) {
        Objects.requireNonNull(model, "model");
        try {
            return (ModelProto) PROTO.invokeExact(model);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * Wraps a model built in code, validating it like a file.
     *
     * @throws dev.reasoningsdk.api.ModelLoadException naming the model when it lacks a graph, IR version or opset, or
     *                                                 an initializer is inconsistent
     */
    public static OnnxModelFile of(String name, ModelProto model) {
        try {
            return (OnnxModelFile) OF.invokeExact(name, model);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The target's own unchecked exceptions pass through unchanged; it declares no checked ones. */
    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(e);
    }
}
