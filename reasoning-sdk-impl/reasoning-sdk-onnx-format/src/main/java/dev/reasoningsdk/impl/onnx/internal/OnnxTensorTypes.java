package dev.reasoningsdk.impl.onnx.internal;

import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;

/**
 * Not API: what the model file and the external-data check need to know about ONNX tensor element types
 * ({@code TensorProto.DataType}), kept in one place so that both size a tensor alike.
 */
public final class OnnxTensorTypes {

    private OnnxTensorTypes() {
    }

    /** The ONNX name of a {@code TensorProto.DataType} value, for messages. */
    public static String typeName(int dataType) {
        TensorProto.DataType type = TensorProto.DataType.forNumber(dataType);
        return type == null ? "UNKNOWN(" + dataType + ")" : type.name();
    }

    /** Fixed-width element sizes for raw_data checks; 0 for types whose raw size is not a whole byte count. */
    public static int bytesPerElement(int dataType) {
        return switch (dataType) {
            case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.INT32_VALUE,
                    TensorProto.DataType.UINT32_VALUE -> 4;
            case TensorProto.DataType.DOUBLE_VALUE, TensorProto.DataType.INT64_VALUE,
                    TensorProto.DataType.UINT64_VALUE, TensorProto.DataType.COMPLEX64_VALUE -> 8;
            case TensorProto.DataType.COMPLEX128_VALUE -> 16;
            case TensorProto.DataType.FLOAT16_VALUE, TensorProto.DataType.BFLOAT16_VALUE,
                    TensorProto.DataType.INT16_VALUE, TensorProto.DataType.UINT16_VALUE -> 2;
            case TensorProto.DataType.INT8_VALUE, TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.BOOL_VALUE,
                    TensorProto.DataType.FLOAT8E4M3FN_VALUE, TensorProto.DataType.FLOAT8E4M3FNUZ_VALUE,
                    TensorProto.DataType.FLOAT8E5M2_VALUE, TensorProto.DataType.FLOAT8E5M2FNUZ_VALUE -> 1;
            default -> 0;
        };
    }
}
