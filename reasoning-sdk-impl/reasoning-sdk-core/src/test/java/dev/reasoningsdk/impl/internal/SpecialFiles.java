package dev.reasoningsdk.impl.internal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Files that are not plain files, made for a test: a FIFO and a symbolic link, or the test is skipped. */
public final class SpecialFiles {

    private SpecialFiles() {
    }

    /** Makes a FIFO at {@code path} with {@code mkfifo}, or skips the test where there is none. */
    public static Path fifoOrSkip(Path path) throws IOException, InterruptedException {
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        } catch (IOException noMkfifo) {
            Assumptions.abort("no mkfifo on this system: " + noMkfifo);
            throw noMkfifo;
        }
        Assumptions.assumeTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo failed");
        return path;
    }

    /** Makes a symbolic link at {@code link} to {@code target}, or skips the test on a file system without links. */
    public static Path symlinkOrSkip(Path link, Path target) throws IOException {
        try {
            return Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | FileSystemException refused) {
            Assumptions.abort("this file system refuses symbolic links: " + refused);
            throw refused;
        }
    }
}
