package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.OperatorSetIdProto;
import dev.reasoningsdk.impl.onnx.internal.proto.StringStringEntryProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Damaged model bytes give a model or a {@link ModelLoadException}, never another exception. */
class OnnxModelFileFuzzTest {

    private static final byte[] SMALL_MODEL = smallModel().toByteArray();

    @Property(tries = 500)
    void mutatedBytesParseOrFailWithModelLoadException(@ForAll("mutations") List<Tuple.Tuple2<Integer, Byte>> edits,
                                                       @ForAll("lengths") int keep) {
        byte[] bytes = Arrays.copyOf(SMALL_MODEL, Math.min(keep, SMALL_MODEL.length));
        for (Tuple.Tuple2<Integer, Byte> edit : edits) {
            if (bytes.length > 0) {
                bytes[edit.get1() % bytes.length] = edit.get2();
            }
        }
        try {
            OnnxModelFile model = OnnxModelFile.parse("fuzzed", bytes);
            for (OnnxInitializer initializer : model.initializers()) {
                if (initializer.isFloat()) {
                    assertThat(model.floatInitializer(initializer.name())).hasSize((int) initializer.elementCount());
                }
            }
        } catch (ModelLoadException expected) {
            assertThat(expected).hasMessageContaining("fuzzed");
        } catch (IllegalArgumentException externalData) {
            // A mutation can flag an initializer as external data, which floatInitializer refuses by name.
            assertThat(externalData).hasMessageContaining("external");
        }
    }

    @Property(tries = 50)
    void floatInitializersRoundTripThroughRawData(@ForAll("weights") float[] weights) {
        OnnxModelFile model = OnnxModelProtos.of("small", smallModel());
        float[] replacement = Arrays.copyOf(weights, 6);
        OnnxModelFile changed = model.withFloatInitializers(Map.of("w", replacement));
        OnnxModelFile reread = OnnxModelFile.parse("small", changed.toBytes());
        assertThat(reread.floatInitializer("w")).containsExactly(replacement);
        assertThat(reread.floatInitializer("b")).containsExactly(model.floatInitializer("b"));
    }

    @Provide
    Arbitrary<List<Tuple.Tuple2<Integer, Byte>>> mutations() {
        return Arbitraries.integers().between(0, SMALL_MODEL.length - 1)
                .flatMap(at -> Arbitraries.bytes().map(value -> Tuple.of(at, value))).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(Arbitraries.just(SMALL_MODEL.length),
                Arbitraries.integers().between(0, SMALL_MODEL.length));
    }

    @Provide
    Arbitrary<float[]> weights() {
        return Arbitraries.floats().between(-1e6f, 1e6f).array(float[].class).ofSize(6);
    }

    /** y = x @ w + b with w stored as raw_data and b as float_data. */
    static ModelProto smallModel() {
        ByteBuffer raw = ByteBuffer.allocate(6 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            raw.putFloat(i * 0.5f);
        }
        TensorProto w = TensorProto.newBuilder().setName("w").addDims(2).addDims(3)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array())).build();
        TensorProto b = TensorProto.newBuilder().setName("b").addDims(3).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(1).addFloatData(2).addFloatData(3).build();
        GraphProto graph = GraphProto.newBuilder().setName("small")
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w").addOutput("xw"))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("xw").addInput("b").addOutput("y"))
                .addInitializer(w).addInitializer(b).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("k").setValue("v")).build();
    }
}
