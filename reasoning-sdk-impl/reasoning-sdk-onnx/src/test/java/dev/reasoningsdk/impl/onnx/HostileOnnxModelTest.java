package dev.reasoningsdk.impl.onnx;

import static dev.reasoningsdk.impl.onnx.ExternalDataModels.SECRET;
import static dev.reasoningsdk.impl.onnx.ExternalDataModels.externalBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models whose tensors keep their data in other files (ONNX external data): ONNX Runtime reads whatever path the
 * model names, so every loader refuses a reference that leaves the model's folder (by name, absolute path or symbolic
 * link), a file that is missing or not regular, a byte range outside the file, and any reference at all from a model
 * given as bytes; a reference inside the folder loads and runs.
 */
class HostileOnnxModelTest {

    private static final byte[] SECRET_BYTES = "root:x:0:0:root:/root:/bin/bash\nTOP-SECRET-0123456789abcdef\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int LENGTH = 16;

    /** The layout every case starts from: {@code root/outside/secret.bin} and the empty folder {@code root/model}. */
    private record Layout(Path folder, Path outside, Path secret) {
        static Layout in(Path root) throws IOException {
            Path outside = Files.createDirectories(root.resolve("outside"));
            Files.createDirectories(outside.resolve("inner"));
            Path secret = Files.write(outside.resolve("secret.bin"), SECRET_BYTES);
            return new Layout(Files.createDirectories(root.resolve("model")), outside, secret);
        }

        Path write(ModelProto model) throws IOException {
            return Files.write(folder.resolve("model.onnx"), model.toByteArray());
        }

        Path inside(String name, byte[] bytes) throws IOException {
            Path file = folder.resolve(name);
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        }
    }

    /** Prepares the folder and returns the model that should be refused. */
    @FunctionalInterface
    private interface Setup {
        ModelProto prepare(Layout layout) throws IOException;
    }

    static Stream<Arguments> refusedReferences() {
        return Stream.of(
                refused("a relative path that climbs out of the folder",
                        layout -> leak(externalBytes(LENGTH, "../outside/secret.bin")),
                        "'../outside/secret.bin'", "leaves the model's folder"),
                refused("a relative path that climbs to /etc/passwd",
                        layout -> leak(externalBytes(LENGTH, "../../../../../../../../../../../../etc/passwd")),
                        "etc/passwd'", "leaves the model's folder"),
                refused("an absolute path to /etc/passwd",
                        layout -> leak(externalBytes(LENGTH, "/etc/passwd")),
                        "'/etc/passwd'", "is an absolute path"),
                refused("an absolute path to a file beside the folder",
                        layout -> leak(externalBytes(LENGTH, layout.secret().toString())),
                        "secret.bin'", "is an absolute path"),
                refused("a symbolic link in the folder to a file outside it",
                        layout -> {
                            Files.createSymbolicLink(layout.folder().resolve("weights.bin"), layout.secret());
                            return leak(externalBytes(LENGTH, "weights.bin"));
                        },
                        "'weights.bin'", "resolves through a symbolic link to", "outside the model's folder"),
                refused("a symbolic link to a directory outside the folder",
                        layout -> {
                            Files.createSymbolicLink(layout.folder().resolve("data"), layout.outside());
                            return leak(externalBytes(LENGTH, "data/secret.bin"));
                        },
                        "'data/secret.bin'", "resolves through a symbolic link to", "outside the model's folder"),
                refused("a symbolic link to a directory, then .. (which the OS resolves after the link)",
                        layout -> {
                            Files.createSymbolicLink(layout.folder().resolve("data"), layout.outside().resolve("inner"));
                            return leak(externalBytes(LENGTH, "data/../secret.bin"));
                        },
                        "'data/../secret.bin'", "resolves through a symbolic link to", "outside the model's folder"),
                refused("a file that does not exist",
                        layout -> leak(externalBytes(LENGTH, "absent.bin")),
                        "'absent.bin'", "does not exist"),
                refused("a directory",
                        layout -> {
                            Files.createDirectories(layout.folder().resolve("weights"));
                            return leak(externalBytes(LENGTH, "weights"));
                        },
                        "'weights'", "is not a regular file"),
                refused("bytes past the end of the file",
                        besideWeights("offset", "8", "length", Integer.toString(LENGTH)),
                        "'weights.bin'", "bytes 8 to 24 run past the end of the 16-byte file"),
                refused("an offset so large that offset + length overflows",
                        besideWeights("offset", Long.toString(Long.MAX_VALUE), "length", Integer.toString(LENGTH)),
                        "'weights.bin'", "overflows"),
                refused("a negative offset",
                        besideWeights("offset", "-8", "length", Integer.toString(LENGTH)),
                        "'weights.bin'", "offset '-8' is not a non-negative decimal integer"),
                refused("a length that is not a number",
                        besideWeights("length", "0x10"),
                        "'weights.bin'", "length '0x10' is not a non-negative decimal integer"),
                refused("a length that differs from the tensor's size",
                        besideWeights("length", Integer.toString(4 * LENGTH)),
                        "'weights.bin'", "length 64 differs from the 16 bytes of its shape [16] of UINT8"),
                refused("a key given twice",
                        besideWeights("location", "../outside/secret.bin"),
                        "'location' appears twice"),
                refused("no location",
                        layout -> leak(externalBytes(SECRET, LENGTH, "offset", "0")),
                        "stored as external data without a location"),
                refused("ONNX Runtime's in-memory address tag",
                        layout -> {
                            // Even a real file of that name inside the folder: ORT reads memory, not the file.
                            layout.inside("*/_ORT_MEM_ADDR_/*", new byte[LENGTH]);
                            return leak(externalBytes(SECRET, LENGTH, "location", "*/_ORT_MEM_ADDR_/*", "offset",
                                    "4096", "length", Integer.toString(LENGTH)));
                        },
                        "'*/_ORT_MEM_ADDR_/*'", "read process memory"),
                refused("a NUL character in the location",
                        layout -> {
                            layout.inside("weights.bin", new byte[LENGTH]);
                            return leak(externalBytes(LENGTH, "weights.bin\0/../../outside/secret.bin"));
                        },
                        "'weights.bin\\u0000/../../outside/secret.bin'", "is not a valid path"),
                refused("a line break in the location, which must not forge a log line",
                        layout -> leak(externalBytes(LENGTH, "../outside/secret.bin\nINFO all checks passed")),
                        "'../outside/secret.bin\\u000AINFO all checks passed'", "leaves the model's folder"),
                refused("a shape with a negative dimension",
                        layout -> {
                            layout.inside("weights.bin", new byte[LENGTH]);
                            // In an attribute, where no other check of initializer shapes looks.
                            return ExternalDataModels.leakingConstant(externalBytes(SECRET, LENGTH, "location",
                                    "weights.bin").toBuilder().setDims(0, -LENGTH).build());
                        },
                        "'weights.bin', but its shape [-16] has no valid size"),
                refused("no length, for a type without a fixed size",
                        layout -> {
                            layout.inside("weights.bin", new byte[LENGTH]);
                            return leak(externalBytes(SECRET, LENGTH, "location", "weights.bin").toBuilder()
                                    .setDataType(TensorProto.DataType.STRING_VALUE).build());
                        },
                        "'weights.bin', which gives no length, and a tensor of type STRING has no fixed size"),
                refused("a Constant node's value tensor",
                        layout -> ExternalDataModels.leakingConstant(externalBytes(LENGTH, "../outside/secret.bin")),
                        "tensor 'secret' (in node 'constant' attribute 'value')", "leaves the model's folder"),
                refused("a tensor in a node's tensor-list attribute",
                        layout -> ExternalDataModels.tensorListAttribute(externalBytes(LENGTH, "/etc/passwd")),
                        "tensor 'secret' (in node 'custom' attribute 'extra')", "is an absolute path"),
                refused("an initializer of an If node's subgraph",
                        layout -> {
                            Files.createSymbolicLink(layout.folder().resolve("weights.bin"), layout.secret());
                            return ExternalDataModels.leakingSubgraph(externalBytes(LENGTH, "weights.bin"));
                        },
                        "initializer 'secret' (in node 'if' attribute 'then_branch')",
                        "resolves through a symbolic link to"),
                refused("a sparse initializer's values",
                        layout -> ExternalDataModels.leakingSparseInitializer(
                                externalBytes(LENGTH, "../outside/secret.bin")),
                        "sparse initializer 'sparse'", "leaves the model's folder"),
                refused("data_location repeated with an unknown value after EXTERNAL",
                        layout -> leak(withTrailingField(externalBytes(LENGTH, "../outside/secret.bin"),
                                new byte[] {0x70, 0x05})),
                        "'../outside/secret.bin'", "leaves the model's folder"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedReferences")
    void theSessionFactoryRefusesBeforeOnnxRuntimeReadsAnything(String title, Setup setup, String[] fragments,
                                                              @TempDir Path root) throws IOException {
        Layout layout = Layout.in(root);
        Path model = layout.write(setup.prepare(layout));
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            assertThatThrownBy(() -> leakedBytes(factory, ModelSource.file(model)))
                    .isInstanceOf(ModelLoadException.class)
                    .satisfies(namesTheModel(model, fragments));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedReferences")
    void theModelFileReaderRefusesToo(String title, Setup setup, String[] fragments, @TempDir Path root)
            throws IOException {
        Layout layout = Layout.in(root);
        Path model = layout.write(setup.prepare(layout));
        assertThatThrownBy(() -> OnnxModelFile.read(model))
                .isInstanceOf(ModelLoadException.class)
                .satisfies(namesTheModel(model, fragments));
    }

    @Test
    void aModelGivenAsBytesMayNotReferToAnyFile(@TempDir Path root) throws IOException {
        Layout layout = Layout.in(root);
        layout.inside("weights.bin", new byte[LENGTH]);
        // Safe from a file in that folder, but bytes have no folder: ORT would resolve it against the working dir.
        byte[] model = leak(externalBytes(LENGTH, "weights.bin")).toByteArray();
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            assertThatThrownBy(() -> leakedBytes(factory, ModelSource.bytes("given-bytes", model)))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("model given-bytes: initializer 'secret' refers to external data"
                            + " 'weights.bin', but the model was given as bytes");
        }
        assertThatThrownBy(() -> OnnxModelFile.parse("given-bytes", model))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("given as bytes");
        assertThatThrownBy(() -> OnnxModelFile.read(ModelSource.bytes("given-bytes", model)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("given as bytes");
    }

    @Test
    void aModelFileTooLargeForProtobufIsRefusedBeforeItIsRead(@TempDir Path root) throws IOException {
        Path model = root.resolve("huge.onnx");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(model.toFile(), "rw")) {
            file.setLength(ModelSource.MAX_IN_MEMORY_BYTES + 1);
        }
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            assertThatThrownBy(() -> factory.open(ModelSource.file(model)))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessage("model " + model + " is 2147483640 bytes, more than one protobuf message can hold;"
                            + " keep the weights in external data files beside it");
        }
    }

    @Test
    void externalDataInsideTheFolderLoadsAndRunsLikeTheInlineModel(@TempDir Path root) throws Exception {
        Layout layout = Layout.in(root);
        Path inline = Files.write(root.resolve("inline.onnx"),
                ExternalDataModels.affine(ExternalDataModels.inlineW()).toByteArray());
        // As a Hugging Face export lays it out: a data file beside the model, here in a subfolder and at an offset.
        byte[] data = new byte[8 + 24];
        System.arraycopy(ExternalDataModels.affineWeights(), 0, data, 8, 24);
        layout.inside("weights/model.onnx_data", data);
        Path external = layout.write(ExternalDataModels.affine(
                ExternalDataModels.externalW("weights/../weights/model.onnx_data", 8)));
        assertThat(OnnxModelFile.read(external).initializers()).extracting(OnnxInitializer::name)
                .containsExactly("w", "b");
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            float[] expected = affineOutput(factory, ModelSource.file(inline));
            assertThat(expected).containsExactly(1 + 0.5f + 7f, -2 - 1.25f + 1.5f, 3 + 2f - 8f);
            assertThat(affineOutput(factory, ModelSource.file(external))).containsExactly(expected);
            // The model file itself may be a link: ORT resolves data beside the path it is given, and so does the
            // check.
            Path linkFolder = Files.createDirectories(root.resolve("linked/weights")).getParent();
            Files.write(linkFolder.resolve("weights/model.onnx_data"), data);
            Path linked = Files.createSymbolicLink(linkFolder.resolve("model.onnx"), external);
            assertThat(affineOutput(factory, ModelSource.file(linked))).containsExactly(expected);
        }
    }

    /** A 16-byte {@code weights.bin} in the folder, named by an initializer with these further entries. */
    private static Setup besideWeights(String... entries) {
        return layout -> {
            layout.inside("weights.bin", new byte[LENGTH]);
            String[] all = new String[entries.length + 2];
            all[0] = "location";
            all[1] = "weights.bin";
            System.arraycopy(entries, 0, all, 2, entries.length);
            return leak(externalBytes(SECRET, LENGTH, all));
        };
    }

    private static Arguments refused(String title, Setup setup, String... fragments) {
        return Arguments.of(title, setup, fragments);
    }

    private static ModelProto leak(TensorProto secret) {
        return ExternalDataModels.leakingInitializer(secret);
    }

    /** The tensor's bytes with a raw field appended, as a parser sees them (protobuf merges repeated fields). */
    private static TensorProto withTrailingField(TensorProto tensor, byte[] field) {
        byte[] bytes = tensor.toByteArray();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + field.length);
        System.arraycopy(field, 0, longer, bytes.length, field.length);
        try {
            return TensorProto.parseFrom(longer);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static Consumer<Throwable> namesTheModel(Path model, String... fragments) {
        return error -> {
            assertThat(error.getMessage()).startsWith("model " + model + ": ");
            for (String fragment : fragments) {
                assertThat(error.getMessage()).contains(fragment);
            }
            assertThat(error.getMessage()).doesNotContain("TOP-SECRET");
        };
    }

    /** Opens the model and runs it: a model that got past the check shows here what it read. */
    private static byte[] leakedBytes(OnnxSessionFactory factory, ModelSource source) throws OrtException {
        try (OnnxModelSession session = factory.open(source)) {
            Map<String, OnnxTensor> inputs = session.session().getInputNames().isEmpty() ? Map.of()
                    : Map.of("x", OnnxTensor.createTensor(session.environment(),
                            java.nio.ByteBuffer.allocateDirect(LENGTH), new long[] {LENGTH},
                            ai.onnxruntime.OnnxJavaType.UINT8));
            try (OrtSession.Result result = session.session().run(inputs)) {
                java.nio.ByteBuffer out = ((OnnxTensor) result.get(0)).getByteBuffer();
                byte[] bytes = new byte[out.remaining()];
                out.get(bytes);
                throw new AssertionError("loaded and read: " + new String(bytes, StandardCharsets.ISO_8859_1));
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }

    private static float[] affineOutput(OnnxSessionFactory factory, ModelSource source) throws OrtException {
        try (OnnxModelSession session = factory.open(source);
             OnnxTensor x = OnnxTensor.createTensor(session.environment(), new float[][] {{1, 2}});
             OrtSession.Result result = session.session().run(Map.of("x", x))) {
            return ((float[][]) result.get(0).getValue())[0];
        }
    }
}
