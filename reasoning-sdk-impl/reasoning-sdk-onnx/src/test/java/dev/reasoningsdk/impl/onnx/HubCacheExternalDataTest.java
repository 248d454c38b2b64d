package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.reasoningsdk.api.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model in a Hugging Face hub cache ({@code models--org--name/snapshots/<rev>/}, every file a symbolic link to
 * {@code ../../blobs/<hash>}): its external data links into its own repository's blobs are allowed, any link that
 * leaves the repository (to a file outside, into another repository, through a blob or a {@code blobs} folder that
 * is itself a link) is still refused, and the same layout outside a {@code models--*} folder is refused as before.
 */
class HubCacheExternalDataTest {

    private static final byte[] SECRET = "TOP-SECRET-0123456789abcdef-TOP-SECRET"
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path root;
    private Path outside;

    @BeforeEach
    void secretOutside() throws IOException {
        outside = Files.write(Files.createDirectories(root.resolve("outside")).resolve("secret.bin"), SECRET);
    }

    @Test
    void externalDataLinkedIntoTheRepositorysBlobsLoadsAndRuns() throws Exception {
        Path snapshot = hubModel(root.resolve("hub/models--org--affine"), "");
        Path nested = hubModel(root.resolve("hub/models--org--nested"), "onnx/");
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            Path inline = Files.write(root.resolve("inline.onnx"),
                    ExternalDataModels.affine(ExternalDataModels.inlineW()).toByteArray());
            float[] expected = run(factory, inline);
            assertThat(run(factory, snapshot.resolve("model.onnx"))).containsExactly(expected);
            assertThat(run(factory, nested.resolve("onnx/model.onnx"))).containsExactly(expected);
        }
        assertThat(OnnxModelFile.read(snapshot.resolve("model.onnx")).initializers())
                .extracting(OnnxInitializer::name).containsExactly("w", "b");
    }

    @Test
    void aSnapshotLinkToAFileOutsideTheRepositoryIsStillRefused() throws Exception {
        Path repo = root.resolve("hub/models--org--affine");
        Path snapshot = hubModel(repo, "");
        relink(snapshot.resolve("model.onnx_data"), outside);
        assertRefused(snapshot.resolve("model.onnx"), "resolves through a symbolic link to " + outside.toRealPath(),
                "outside the model's folder " + snapshot.toRealPath() + " and its Hugging Face cache blobs "
                        + repo.resolve("blobs").toRealPath());
    }

    @Test
    void aLinkIntoAnotherRepositorysBlobsIsRefused() throws Exception {
        Path snapshot = hubModel(root.resolve("hub/models--org--affine"), "");
        Path other = Files.createDirectories(root.resolve("hub/models--other--private/blobs"));
        Path otherBlob = Files.write(other.resolve("0123abcd"), new byte[64]);
        relink(snapshot.resolve("model.onnx_data"), Path.of("../../../models--other--private/blobs/0123abcd"));
        assertRefused(snapshot.resolve("model.onnx"), "symbolic link to " + otherBlob.toRealPath());
    }

    @Test
    void aBlobThatIsItselfALinkOutIsRefused() throws Exception {
        Path repo = root.resolve("hub/models--org--affine");
        Path snapshot = hubModel(repo, "");
        Path blob = repo.resolve("blobs").resolve(Files.readSymbolicLink(snapshot.resolve("model.onnx_data"))
                .getFileName());
        relink(blob, outside);
        assertRefused(snapshot.resolve("model.onnx"), "symbolic link to " + outside.toRealPath());
    }

    @Test
    void aBlobsFolderThatIsALinkDoesNotCount() throws Exception {
        // An archive could ship "blobs -> /": the exception must not widen to wherever it points.
        Path repo = root.resolve("hub/models--org--affine");
        Path snapshot = hubModel(repo, "");
        Path realBlobs = Files.move(repo.resolve("blobs"), root.resolve("elsewhere"));
        Files.createSymbolicLink(repo.resolve("blobs"), realBlobs);
        assertRefusedAsAnyFolder(snapshot);
    }

    @Test
    void theSameLayoutOutsideAModelsFolderIsRefused() throws Exception {
        Path snapshot = hubModel(root.resolve("hub/not-a-hub-repo"), "");
        assertRefusedAsAnyFolder(snapshot);
    }

    /** Refused with the plain folder rule: the message names the folder only, no hub blobs. */
    private static void assertRefusedAsAnyFolder(Path snapshot) throws IOException {
        Path model = snapshot.resolve("model.onnx");
        assertRefused(model, "outside the model's folder " + snapshot.toRealPath());
        assertThatThrownBy(() -> OnnxModelFile.read(model)).hasMessageEndingWith(snapshot.toRealPath().toString());
    }

    /**
     * {@code repo/snapshots/rev/<sub>model.onnx} and {@code model.onnx_data} as links to {@code repo/blobs}, as
     * {@code huggingface_hub} lays a download out; returns the snapshot folder.
     */
    private static Path hubModel(Path repo, String sub) throws IOException {
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots/rev"));
        Path folder = Files.createDirectories(snapshot.resolve(sub.isEmpty() ? "." : sub)).normalize();
        byte[] data = new byte[8 + 24];
        System.arraycopy(ExternalDataModels.affineWeights(), 0, data, 8, 24);
        Files.write(blobs.resolve("data0123"), data);
        Files.write(blobs.resolve("model0123"),
                ExternalDataModels.affine(ExternalDataModels.externalW("model.onnx_data", 8)).toByteArray());
        Files.createSymbolicLink(folder.resolve("model.onnx"), folder.relativize(blobs.resolve("model0123")));
        Files.createSymbolicLink(folder.resolve("model.onnx_data"), folder.relativize(blobs.resolve("data0123")));
        return snapshot;
    }

    private static void relink(Path link, Path target) throws IOException {
        Files.delete(link);
        Files.createSymbolicLink(link, target);
    }

    private static void assertRefused(Path model, String... fragments) throws IOException {
        try (OnnxSessionFactory factory = OnnxSessionFactory.cpu(1)) {
            for (Runnable load : new Runnable[] {() -> factory.open(ModelSource.file(model)).close(),
                    () -> OnnxModelFile.read(model)}) {
                assertThatThrownBy(load::run).isInstanceOf(ModelLoadException.class)
                        .hasMessageStartingWith("model " + model + ": initializer 'w' refers to external data"
                                + " 'model.onnx_data', which resolves through a symbolic link")
                        .hasMessageContainingAll(fragments)
                        .hasMessageNotContaining("TOP-SECRET");
            }
        }
    }

    private static float[] run(OnnxSessionFactory factory, Path model) throws OrtException {
        try (OnnxModelSession session = factory.open(ModelSource.file(model));
             OnnxTensor x = OnnxTensor.createTensor(session.environment(), new float[][] {{1, 2}});
             OrtSession.Result result = session.session().run(Map.of("x", x))) {
            return ((float[][]) result.get(0).getValue())[0];
        }
    }
}
