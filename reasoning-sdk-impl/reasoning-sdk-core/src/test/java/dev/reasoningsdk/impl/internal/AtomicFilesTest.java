package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared atomic writer on real files: a writer that fails half-way, a read-only folder, links planted at the
 * target, permissions of the file replaced, temporary files a killed run left, and writers racing for one target.
 */
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsHalfWayLeavesTheOldFileWholeAndNoTemporaryFile() throws Exception {
        Path target = Files.writeString(dir.resolve("chains.jsonl"), "old content\n");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("new content, first half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[1 << 20]);
            throw new UncheckedIOException(new IOException("serialiser failed"));
        })).isInstanceOf(UncheckedIOException.class);

        assertThat(target).hasContent("old content");
        assertThat(listing()).containsExactly("chains.jsonl");
    }

    @Test
    void aWriteReplacesTheWholeFileAndCreatesMissingFolders() throws Exception {
        Path target = Files.writeString(dir.resolve("weights.json"), "x".repeat(10_000));
        AtomicFiles.write(target, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(target).hasContent("{}");

        Path nested = dir.resolve("a/b/head.json");
        // A writer that closes its stream, as Jackson does, must not close the file before it is forced and renamed.
        AtomicFiles.write(nested, out -> {
            out.write('1');
            out.close();
        });
        assertThat(nested).hasContent("1");
    }

    /**
     * The old writer wrote to TARGET.tmp-PID with Files.write, which follows a link: a link planted under that name in
     * a shared folder made it overwrite the file the link named (here: a file standing for ~/.bashrc).
     */
    @Test
    void aLinkPlantedUnderAGuessableTemporaryNameIsNeverWrittenThrough() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path target = dir.resolve("weights.json");
        long pid = ProcessHandle.current().pid();
        List<Path> planted = new ArrayList<>();
        for (String name : List.of("weights.json.tmp-" + pid, ".weights.json.tmp", "weights.json.tmp")) {
            planted.add(SpecialFiles.symlinkOrSkip(dir.resolve(name), victim));
        }
        AtomicFiles.write(target, "{\"format\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(victim).hasContent("precious");
        assertThat(target).hasContent("{\"format\":1}");
        for (Path link : planted) {
            assertThat(Files.isSymbolicLink(link)).as(link + " left alone").isTrue();
        }
    }

    @Test
    void aTargetThatIsALinkIsReplacedAndTheFileItNamedIsNotWritten() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path target = SpecialFiles.symlinkOrSkip(dir.resolve("out.json"), victim);
        AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8));

        assertThat(victim).hasContent("precious");
        assertThat(Files.isSymbolicLink(target)).isFalse();
        assertThat(target).hasContent("new");
    }

    @Test
    void aReadOnlyFolderFailsTheWriteAndLeavesTheFileAsItWas() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("read-only"));
        Path target = Files.writeString(folder.resolve("head.json"), "old");
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(folder), "running as a user that may write anywhere (root)");
            assertThatThrownBy(() -> AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(AccessDeniedException.class);
            assertThat(target).hasContent("old");
            try (Stream<Path> files = Files.list(folder)) {
                assertThat(files).containsExactly(target);
            }
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** The old writer gave the new file the default permissions: a head the user had made private became readable. */
    @Test
    void aReplacedFileKeepsItsPermissions() throws Exception {
        Path target = Files.writeString(dir.resolve("private.json"), "old");
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(target, ownerOnly);
        AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(ownerOnly);
    }

    @Test
    void aTemporaryFileAKilledWriteLeftIsRemovedByTheNextWriteOfTheSameTarget() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Files.write(dir.resolve(".head.json." + gone.pid() + "-1f2e3d4c.tmp"), new byte[4096]);
        Path otherTarget = Files.write(dir.resolve(".notes.txt." + gone.pid() + "-1f2e3d4c.tmp"), new byte[16]);
        AtomicFiles.write(dir.resolve("head.json"), "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(stale).doesNotExist();
        assertThat(otherTarget).exists();
    }

    /** The old writer used one temporary name per process: two threads saving one file wrote into the same file. */
    @Test
    void writersRacingForOneTargetLeaveOneWholeVersion() throws Exception {
        Path target = dir.resolve("race.bin");
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Path>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte[] content = new byte[256 * 1024 + w];
                java.util.Arrays.fill(content, (byte) w);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        AtomicFiles.write(target, content);
                    }
                    return target;
                }));
            }
            for (Future<Path> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] written = Files.readAllBytes(target);
        int writer = written[0];
        assertThat(written).hasSize(256 * 1024 + writer);
        for (byte b : written) {
            assertThat(b).isEqualTo((byte) writer);
        }
        assertThat(listing()).containsExactly("race.bin");
    }

    @Test
    void realPathResolvesLinksAndTheMissingRest() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = SpecialFiles.symlinkOrSkip(dir.resolve("link"), real);
        assertThat(AtomicFiles.realPath(link.resolve("x/../y.json")))
                .isEqualTo(real.toRealPath().resolve("y.json"));
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
