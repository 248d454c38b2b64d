package dev.reasoningsdk.impl.merge.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/** Read access to the tensors of one input checkpoint, by byte range, so a merge never holds a whole model. */
public interface TensorSource extends AutoCloseable {

    /** A name for messages: the file or directory. */
    String label();

    /** The tensors, in the order they are stored. */
    List<TensorInfo> tensors();

    /** The checkpoint's metadata (safetensors {@code __metadata__}), possibly empty. */
    Map<String, String> metadata();

    /**
     * Fills {@code dst} (its remaining bytes) with tensor bytes starting {@code byteOffset} bytes into the tensor.
     * The buffer's byte order is left as it is; its position ends at its limit.
     */
    void read(String tensor, long byteOffset, ByteBuffer dst) throws IOException;

    /** Alignment of the scratch buffers given to {@link #readInto}, and the slack they need past the bytes read. */
    int SCRATCH_ALIGNMENT = 4096;

    /**
     * Reads {@code length} tensor bytes starting {@code byteOffset} bytes into the tensor, into {@code scratch},
     * and returns a little-endian view of exactly those bytes. {@code scratch} must be aligned to
     * {@link #SCRATCH_ALIGNMENT} and hold {@code length + 2 * SCRATCH_ALIGNMENT} bytes, which lets a file source read
     * whole aligned blocks around the range with direct I/O, past the page cache. By default, {@link #read}.
     */
    default ByteBuffer readInto(String tensor, long byteOffset, int length, ByteBuffer scratch) throws IOException {
        scratch.clear().limit(length);
        read(tensor, byteOffset, scratch);
        return scratch.flip().slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    void close() throws IOException;
}
