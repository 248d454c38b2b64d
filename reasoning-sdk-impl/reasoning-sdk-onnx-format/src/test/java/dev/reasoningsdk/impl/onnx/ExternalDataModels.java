package dev.reasoningsdk.impl.onnx;

import com.google.protobuf.ByteString;
import dev.reasoningsdk.impl.onnx.internal.proto.AttributeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.OperatorSetIdProto;
import dev.reasoningsdk.impl.onnx.internal.proto.SparseTensorProto;
import dev.reasoningsdk.impl.onnx.internal.proto.StringStringEntryProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorShapeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TypeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Small ONNX models whose tensors keep their data in other files, for the hostile-file tests: the tensor sits where
 * ONNX Runtime would read it (an initializer, a node attribute, a subgraph, a sparse initializer).
 */
public final class ExternalDataModels {

    /** The name every secret-reading tensor gets, so messages can be checked for it. */
    public static final String SECRET = "secret";

    private ExternalDataModels() {
    }

    /** A UINT8 tensor of {@code length} bytes stored at {@code entries} (key, value, key, value, ...). */
    public static TensorProto externalBytes(String name, int length, String... entries) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).addDims(length)
                .setDataType(TensorProto.DataType.UINT8_VALUE).setDataLocation(TensorProto.DataLocation.EXTERNAL);
        for (int i = 0; i < entries.length; i += 2) {
            tensor.addExternalData(StringStringEntryProto.newBuilder().setKey(entries[i]).setValue(entries[i + 1]));
        }
        return tensor.build();
    }

    /** The usual entries: location, offset 0 and a length. */
    public static TensorProto externalBytes(int length, String location) {
        return externalBytes(SECRET, length, "location", location, "offset", "0", "length", Integer.toString(length));
    }

    /** {@code out = Identity(secret)} with {@code secret} an initializer: the model's output is the file's bytes. */
    public static ModelProto leakingInitializer(TensorProto secret) {
        return model(GraphProto.newBuilder().setName("leak").addInitializer(secret)
                .addNode(identity(secret.getName(), "out"))
                .addOutput(value("out", TensorProto.DataType.UINT8_VALUE, secret.getDims(0))).build());
    }

    /** {@code out = Constant(value = secret)}: the tensor sits in a node attribute. */
    public static ModelProto leakingConstant(TensorProto secret) {
        return model(GraphProto.newBuilder().setName("leak")
                .addNode(NodeProto.newBuilder().setName("constant").setOpType("Constant").addOutput("out")
                        .addAttribute(AttributeProto.newBuilder().setName("value")
                                .setType(AttributeProto.AttributeType.TENSOR).setT(secret)))
                .addOutput(value("out", TensorProto.DataType.UINT8_VALUE, secret.getDims(0))).build());
    }

    /** A node whose {@code tensors} attribute (a list) holds the tensor. */
    public static ModelProto tensorListAttribute(TensorProto secret) {
        return model(GraphProto.newBuilder().setName("leak")
                .addNode(NodeProto.newBuilder().setName("custom").setOpType("Identity").addInput("x").addOutput("out")
                        .addAttribute(AttributeProto.newBuilder().setName("extra")
                                .setType(AttributeProto.AttributeType.TENSORS).addTensors(secret)))
                .addInput(value("x", TensorProto.DataType.UINT8_VALUE, secret.getDims(0)))
                .addOutput(value("out", TensorProto.DataType.UINT8_VALUE, secret.getDims(0))).build());
    }

    /**
     * {@code out = If(cond, then: Identity(secret), else: Identity(zeros))} with {@code secret} an initializer of the
     * then-branch's subgraph.
     */
    public static ModelProto leakingSubgraph(TensorProto secret) {
        int length = (int) secret.getDims(0);
        GraphProto thenBranch = GraphProto.newBuilder().setName("then").addInitializer(secret)
                .addNode(identity(secret.getName(), "then_out"))
                .addOutput(value("then_out", TensorProto.DataType.UINT8_VALUE, length)).build();
        TensorProto zeros = TensorProto.newBuilder().setName("zeros").addDims(length)
                .setDataType(TensorProto.DataType.UINT8_VALUE).setRawData(ByteString.copyFrom(new byte[length])).build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else").addInitializer(zeros)
                .addNode(identity("zeros", "else_out"))
                .addOutput(value("else_out", TensorProto.DataType.UINT8_VALUE, length)).build();
        TensorProto cond = TensorProto.newBuilder().setName("cond").setDataType(TensorProto.DataType.BOOL_VALUE)
                .setRawData(ByteString.copyFrom(new byte[] {1})).build();
        return model(GraphProto.newBuilder().setName("leak").addInitializer(cond)
                .addNode(NodeProto.newBuilder().setName("if").setOpType("If").addInput("cond").addOutput("out")
                        .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                                .setType(AttributeProto.AttributeType.GRAPH).setG(thenBranch))
                        .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                                .setType(AttributeProto.AttributeType.GRAPH).setG(elseBranch)))
                .addOutput(value("out", TensorProto.DataType.UINT8_VALUE, length)).build());
    }

    /** A sparse initializer whose values are the tensor (indices 0..n-1 inline), densified by Identity. */
    public static ModelProto leakingSparseInitializer(TensorProto secret) {
        int length = (int) secret.getDims(0);
        ByteBuffer indices = ByteBuffer.allocate(length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < length; i++) {
            indices.putLong(i);
        }
        SparseTensorProto sparse = SparseTensorProto.newBuilder().addDims(length)
                .setValues(secret.toBuilder().setName("sparse"))
                .setIndices(TensorProto.newBuilder().addDims(length).setDataType(TensorProto.DataType.INT64_VALUE)
                        .setRawData(ByteString.copyFrom(indices.array())))
                .build();
        return model(GraphProto.newBuilder().setName("leak").addSparseInitializer(sparse)
                .addNode(identity("sparse", "out"))
                .addOutput(value("out", TensorProto.DataType.UINT8_VALUE, length)).build());
    }

    /** {@code y = x @ w + b} with x [1, 2], w [2, 3] as given (inline or external), b [3] inline. */
    public static ModelProto affine(TensorProto w) {
        TensorProto b = TensorProto.newBuilder().setName("b").addDims(3).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(1).addFloatData(-2).addFloatData(3).build();
        return model(GraphProto.newBuilder().setName("affine").addInitializer(w).addInitializer(b)
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput(w.getName())
                        .addOutput("xw"))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("xw").addInput("b").addOutput("y"))
                .addInput(value("x", TensorProto.DataType.FLOAT_VALUE, 1, 2))
                .addOutput(value("y", TensorProto.DataType.FLOAT_VALUE, 1, 3)).build());
    }

    /** The weights of {@link #affine}'s w, row-major, as little-endian float32 bytes. */
    public static byte[] affineWeights() {
        ByteBuffer raw = ByteBuffer.allocate(6 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = {0.5f, -1.25f, 2f, 3.5f, 0.75f, -4f};
        for (float value : values) {
            raw.putFloat(value);
        }
        return raw.array();
    }

    /** {@link #affine}'s w stored inline. */
    public static TensorProto inlineW() {
        return TensorProto.newBuilder().setName("w").addDims(2).addDims(3)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(affineWeights()))
                .build();
    }

    /** {@link #affine}'s w stored in {@code location} at {@code offset}, with its length. */
    public static TensorProto externalW(String location, long offset) {
        return TensorProto.newBuilder().setName("w").addDims(2).addDims(3)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length")
                        .setValue(Integer.toString(6 * Float.BYTES)))
                .build();
    }

    private static ModelProto model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
    }

    private static NodeProto identity(String input, String output) {
        return NodeProto.newBuilder().setName("identity_" + output).setOpType("Identity").addInput(input)
                .addOutput(output).build();
    }

    private static ValueInfoProto value(String name, int elementType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long dim : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(shape))).build();
    }
}
