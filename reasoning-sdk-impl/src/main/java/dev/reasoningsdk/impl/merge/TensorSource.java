package dev.reasoningsdk.impl.merge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/** Read access to the tensors of one input checkpoint, by byte range, so a merge never holds a whole model. */
interface TensorSource extends AutoCloseable {

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

    @Override
    void close() throws IOException;
}
