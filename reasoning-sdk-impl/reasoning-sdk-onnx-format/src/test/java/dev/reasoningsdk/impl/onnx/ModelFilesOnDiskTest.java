package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ModelLoadException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model file read from and written to a path a user gave: what is not a regular file is refused before a byte is
 * read, and a write replaces the file as a whole without following a link or leaving a temporary file.
 */
class ModelFilesOnDiskTest {

    @TempDir
    Path dir;

    /** A FIFO blocked the read until something wrote to it; /dev/zero (size 0) was read until the heap ran out. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoADeviceOrADirectoryIsRefusedBeforeItIsRead() throws Exception {
        Path fifo = dir.resolve("model.onnx");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        } catch (IOException noMkfifo) {
            Assumptions.abort("no mkfifo: " + noMkfifo);
            return;
        }
        Assumptions.assumeTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        assertThatThrownBy(() -> OnnxModelFile.read(ModelSource.file(fifo))).isInstanceOf(ModelLoadException.class)
                .hasMessage("model " + fifo + " is a FIFO, socket or device, not a regular file");
        assertThatThrownBy(() -> ModelSource.file(dir).readBytes()).isInstanceOf(ModelLoadException.class)
                .hasMessage("model " + dir + " is a directory, not a model file");
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertThatThrownBy(() -> ModelSource.file(zero).readBytes()).isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("not a regular file");
        }
    }

    @Test
    void aWriteReplacesALinkAtTheTargetWithoutWritingTheFileItNamed() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path target = dir.resolve("merged.onnx");
        try {
            Files.createSymbolicLink(target, victim);
        } catch (UnsupportedOperationException | FileSystemException refused) {
            Assumptions.abort("this file system refuses symbolic links: " + refused);
        }
        OnnxModelFile model = OnnxModelFile.parse("affine", ExternalDataModels.affine(ExternalDataModels.inlineW())
                .toByteArray());
        model.write(target);

        assertThat(victim).hasContent("precious");
        assertThat(Files.isSymbolicLink(target)).isFalse();
        assertThat(OnnxModelFile.read(ModelSource.file(target)).initializers()).isEqualTo(model.initializers());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(victim, target);
        }
    }
}
