package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.SafetensorsReader;
import dev.reasoningsdk.impl.merge.internal.SafetensorsWriter;
import dev.reasoningsdk.impl.merge.internal.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded base model straight from a Hugging Face hub cache ({@code models--org--name/snapshots/<rev>/}, every file
 * a symbolic link to {@code ../../blobs/<hash>}) merges exactly as the same files in a plain folder, with its config
 * copied; a shard or companion link that leaves the repository is still refused or skipped.
 */
class HubCacheInputTest {

    @TempDir
    Path dir;
    private Path plain;
    private Path[] models;
    private final StreamingModelMerger merger = StreamingModelMerger.builder().chunkElements(1024).threads(1).build();

    @BeforeEach
    void checkpoints() throws IOException {
        var base = Checkpoints.random(1, null);
        plain = Files.createDirectories(dir.resolve("plain"));
        List<TensorSpec> specs = new ArrayList<>();
        base.forEach((name, values) -> specs.add(new TensorSpec(name, Dtype.F32, Checkpoints.SHAPES.get(name))));
        try (SafetensorsWriter writer = SafetensorsWriter.sharded(plain, Map.of(), specs, 16_000)) {
            Checkpoints.writeAll(writer, base, Dtype.F32);
            writer.commit();
        }
        Files.writeString(plain.resolve("config.json"), "{\"model_type\": \"tiny\"}");
        models = new Path[] {
                Checkpoints.write(dir.resolve("a.safetensors"), Checkpoints.random(2, base), Dtype.F32, Map.of()),
                Checkpoints.write(dir.resolve("b.safetensors"), Checkpoints.random(3, base), Dtype.F32, Map.of())};
    }

    @Test
    void aShardedSnapshotMergesAsThePlainFolderDoesAndBringsItsConfig() throws Exception {
        Path snapshot = hubCopy(plain, dir.resolve("hub/models--org--tiny"));
        assertThat(shardCount()).as("the base is sharded").isGreaterThan(1);

        Path fromPlain = dir.resolve("out-plain");
        Path fromHub = dir.resolve("out-hub");
        merger.merge(plan(plain, fromPlain));
        merger.merge(plan(snapshot, fromHub));

        assertThat(Files.readAllBytes(fromHub.resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(fromPlain.resolve("model.safetensors")));
        assertThat(fromHub.resolve("config.json")).as("a link into the repository's blobs is copied")
                .isRegularFile().hasContent("{\"model_type\": \"tiny\"}");
        assertThat(Files.isSymbolicLink(fromHub.resolve("config.json"))).isFalse();
    }

    @Test
    void aShardLinkLeavingTheRepositoryIsStillRefused() throws Exception {
        Path repo = dir.resolve("hub/models--org--tiny");
        Path snapshot = hubCopy(plain, repo);
        Path shard = snapshot.resolve("model-00001-of-0000" + shardCount() + ".safetensors");
        Files.delete(shard);
        Files.createSymbolicLink(shard, plain.resolve(shard.getFileName()).toAbsolutePath());

        assertThatThrownBy(() -> SafetensorsReader.open(snapshot)).isInstanceOf(MergeException.class)
                .hasMessageContaining("shard name '" + shard.getFileName() + "' links outside the index's directory"
                        + " and its Hugging Face cache blobs " + repo.resolve("blobs").toRealPath())
                .hasMessageEndingWith("(path traversal)");
    }

    @Test
    void aConfigLinkLeavingTheRepositoryIsNotCopied() throws Exception {
        Path snapshot = hubCopy(plain, dir.resolve("hub/models--org--tiny"));
        Path secret = Files.writeString(dir.resolve("secret.json"), "{\"secret\": true}");
        Files.delete(snapshot.resolve("config.json"));
        Files.createSymbolicLink(snapshot.resolve("config.json"), secret);

        merger.merge(plan(snapshot, dir.resolve("out")));

        assertThat(dir.resolve("out/config.json")).doesNotExist();
        assertThat(dir.resolve("out/model.safetensors")).isRegularFile();
    }

    @Test
    void theSameLinksOutsideAModelsFolderAreRefused() throws Exception {
        Path snapshot = hubCopy(plain, dir.resolve("hub/some-folder"));
        assertThatThrownBy(() -> SafetensorsReader.open(snapshot)).isInstanceOf(MergeException.class)
                .hasMessageEndingWith("links outside the index's directory (path traversal)");
    }

    private MergePlan plan(Path baseModel, Path outDir) {
        return MergePlan.builder().method(MergeMethod.TASK_ARITHMETIC).output(outDir.resolve("model.safetensors"))
                .baseModel(baseModel).addModel(models[0], Map.of("weight", RatioSchedule.constant(0.6)))
                .addModel(models[1], Map.of("weight", RatioSchedule.constant(0.4))).build();
    }

    private long shardCount() throws IOException {
        try (Stream<Path> files = Files.list(plain)) {
            return files.filter(f -> f.getFileName().toString().matches("model-\\d+-of-\\d+\\.safetensors")).count();
        }
    }

    /**
     * Every file of {@code folder} as {@code huggingface_hub} lays a download out: the bytes in
     * {@code repo/blobs/<n>}, a link {@code repo/snapshots/rev/<name> -> ../../blobs/<n>}. Returns the snapshot.
     */
    private static Path hubCopy(Path folder, Path repo) throws IOException {
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots/rev"));
        try (Stream<Path> files = Files.list(folder)) {
            int n = 0;
            for (Path file : files.sorted().toList()) {
                Path blob = Files.copy(file, blobs.resolve("blob" + n++));
                Files.createSymbolicLink(snapshot.resolve(file.getFileName()), Path.of("../../blobs")
                        .resolve(blob.getFileName()));
            }
        }
        return snapshot;
    }
}
