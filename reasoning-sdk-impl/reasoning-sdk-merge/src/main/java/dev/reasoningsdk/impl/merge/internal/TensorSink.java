package dev.reasoningsdk.impl.merge.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where merged bytes go, in the output's tensor order: the write side of a checkpoint format, as {@link TensorSource}
 * is the read side ({@link SafetensorsWriter}, the ONNX initializer patcher {@link OnnxModel.Patcher}, or the
 * merger's pipelined writer in front of either). Not API.
 */
public interface TensorSink {

    /**
     * Takes {@code bytes} (all remaining); an asynchronous sink may still be reading them after it returns, so the
     * caller must {@link #awaitWritten} a buffer before filling it again.
     */
    void write(ByteBuffer bytes) throws IOException;

    /** Returns once {@code bytes}, if given to {@link #write} before, has been written. */
    default void awaitWritten(ByteBuffer bytes) throws IOException {
    }
}
