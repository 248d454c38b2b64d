package dev.reasoningsdk.impl.merge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Direct and buffered appends give the same file, whatever the write sizes and where the staging buffer fills. */
class SequentialFileWriterTest {

    private static final int STAGING = SequentialFileWriter.STAGING_BYTES;

    @TempDir
    Path dir;

    @Test
    void directAndBufferedWritesGiveTheSameBytesAcrossStagingBoundaries() throws IOException {
        // Sizes that end inside a block, on a block, exactly on the staging buffer and past it.
        List<Integer> sizes = List.of(1, 7, 4095, 4096, STAGING - 4103, STAGING, 3 * STAGING + 17, 0, 513, 12);
        byte[] expected = write(dir.resolve("buffered"), false, sizes, 42);
        byte[] direct = write(dir.resolve("direct"), true, sizes, 42);
        assertThat(Files.size(dir.resolve("direct"))).isEqualTo(expected.length);
        assertThat(Files.readAllBytes(dir.resolve("direct"))).isEqualTo(direct).isEqualTo(expected);
        assertThat(Files.readAllBytes(dir.resolve("buffered"))).isEqualTo(expected);
    }

    @Test
    void randomWriteSizesRoundTrip() throws IOException {
        Random random = new Random(7);
        for (int trial = 0; trial < 5; trial++) {
            List<Integer> sizes = random.ints(1 + random.nextInt(20), 0, STAGING / 3).boxed().toList();
            Path file = dir.resolve("random-" + trial);
            byte[] expected = write(file, true, sizes, trial);
            assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        }
    }

    @Test
    void aFileLongerThanTheSyncIntervalRoundTrips() throws IOException {
        // Several staging buffers in flight at once and a background sync on the way.
        int parts = (int) (SequentialFileWriter.SYNC_EVERY_BYTES / (STAGING - 1)) + 2;
        List<Integer> sizes = java.util.Collections.nCopies(parts, STAGING - 1);
        Path file = dir.resolve("long");
        byte[] expected = write(file, true, sizes, 11);
        assertThat(expected.length).isGreaterThan((int) SequentialFileWriter.SYNC_EVERY_BYTES);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void anEmptyFileStaysEmpty() throws IOException {
        Path file = Files.createFile(dir.resolve("empty"));
        try (SequentialFileWriter writer = SequentialFileWriter.open(file, true)) {
            writer.finish();
            assertThat(writer.length()).isZero();
        }
        assertThat(Files.size(file)).isZero();
    }

    @Test
    void writesDirectlyOnADiskFileSystem() throws IOException {
        assumeTrue(Set.of("ext4", "xfs", "btrfs").contains(Files.getFileStore(dir).type()),
                "the temporary directory is on a disk file system");
        try (SequentialFileWriter writer = SequentialFileWriter.open(Files.createFile(dir.resolve("d")), true)) {
            assertThat(writer.direct()).isTrue();
        }
        try (SequentialFileWriter writer = SequentialFileWriter.open(Files.createFile(dir.resolve("b")), false)) {
            assertThat(writer.direct()).isFalse();
        }
    }

    @Test
    void writesCorrectlyOnTmpfsWhicheverModeItGrants() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).type().equals("tmpfs"),
                "a writable tmpfs at /dev/shm");
        Path file = Files.createTempFile(shm, "sequential-file-writer", ".bin");
        try {
            byte[] expected;
            // tmpfs refused O_DIRECT before Linux 6.6 and accepts it since; either way the bytes must be right
            try (SequentialFileWriter writer = SequentialFileWriter.open(file, true)) {
                expected = append(writer, List.of(10, STAGING + 1), 3);
                writer.finish();
            }
            assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static byte[] write(Path file, boolean direct, List<Integer> sizes, long seed) throws IOException {
        Files.createFile(file);
        try (SequentialFileWriter writer = SequentialFileWriter.open(file, direct)) {
            byte[] bytes = append(writer, sizes, seed);
            writer.finish();
            return bytes;
        }
    }

    private static byte[] append(SequentialFileWriter writer, List<Integer> sizes, long seed) throws IOException {
        Random random = new Random(seed);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int size : sizes) {
            byte[] part = new byte[size];
            random.nextBytes(part);
            all.write(part);
            // a direct source buffer for some writes, a heap one for others, as callers pass both
            ByteBuffer source = size % 2 == 0 ? ByteBuffer.allocateDirect(size).put(part).flip() : ByteBuffer.wrap(part);
            writer.write(source);
            assertThat(source.hasRemaining()).isFalse();
        }
        assertThat(writer.length()).isEqualTo(all.size());
        return all.toByteArray();
    }
}
