package dev.reasoningsdk.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.internal.SpecialFiles;
import dev.reasoningsdk.impl.retrieval.EncoderHeadCriterion;
import dev.reasoningsdk.impl.retrieval.LinearHead;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weight files training writes and the SDK reads back (learned verifier, process-reward head, retrieval heads),
 * through their public save and read: a planted link never redirects a save, a private file stays private, and a FIFO
 * or a directory given as a weights file is refused at once instead of blocking the reader.
 */
class SavedHeadFilesTest {

    @TempDir
    Path dir;

    /** A head type: how to save the shipped one and read one back. */
    record Kind(String name, Saver saver, Reader reader) {
        void save(Path file) throws Exception {
            saver.save(file);
        }

        Object read(Path file) throws Exception {
            return reader.read(file);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(
                new Kind("learned verifier", file -> LearnedVerifier.Weights.shipped().save(file),
                        LearnedVerifier.Weights::read),
                new Kind("process-reward head", file -> HiddenStateStepReward.Weights.shipped().save(file),
                        HiddenStateStepReward.Weights::read),
                new Kind("retrieval head", file -> EncoderHeadCriterion.shippedHead(CriterionKind.INTENT).save(file),
                        LinearHead::read));
    }

    /**
     * The old writer wrote through TARGET.tmp-PID with Files.write, which follows a link: a link planted under that
     * name in a shared folder made a save overwrite whatever file the link named.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void aLinkPlantedUnderTheTemporaryNameDoesNotRedirectASave(Kind kind) throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path target = dir.resolve("head.json");
        SpecialFiles.symlinkOrSkip(dir.resolve("head.json.tmp-" + ProcessHandle.current().pid()), victim);

        kind.save(target);

        assertThat(victim).hasContent("precious");
        assertThat(Files.isSymbolicLink(target)).isFalse();
        assertThat(kind.read(target)).isNotNull();
    }

    /**
     * The old writer gave a replaced file the default permissions: a head the user had made private became
     * readable.
     */
    @ParameterizedTest
    @MethodSource("kinds")
    void aSaveOverAPrivateFileKeepsItPrivate(Kind kind) throws Exception {
        Path target = dir.resolve("head.json");
        kind.save(target);
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(target, ownerOnly);

        kind.save(target);

        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(ownerOnly);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    /** A FIFO used to block the reader until something wrote to it: forever, for a typo in a path. */
    @ParameterizedTest
    @MethodSource("kinds")
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoOrADirectoryGivenAsAWeightsFileIsRefusedNotWaitedOn(Kind kind) throws Exception {
        Path fifo = SpecialFiles.fifoOrSkip(dir.resolve("head.json"));
        assertThatThrownBy(() -> kind.read(fifo)).isInstanceOf(DataFileException.class)
                .hasMessageContaining(fifo.toString()).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> kind.read(dir)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("is a directory");
    }

    @FunctionalInterface
    interface Saver {
        void save(Path file) throws Exception;
    }

    @FunctionalInterface
    interface Reader {
        Object read(Path file) throws Exception;
    }
}
