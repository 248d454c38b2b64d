package dev.reasoningsdk.impl;

import dev.reasoningsdk.impl.internal.TextFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextFilesTest {

    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @TempDir
    Path dir;

    private Path write(byte[]... parts) throws IOException {
        byte[] all = new byte[0];
        for (byte[] part : parts) {
            int at = all.length;
            all = Arrays.copyOf(all, at + part.length);
            System.arraycopy(part, 0, all, at, part.length);
        }
        return Files.write(dir.resolve("file.txt"), all);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> lines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        TextFiles.forEachLine(file, (number, text) -> lines.add(number + ":" + text));
        return lines;
    }

    @Test
    void aLeadingByteOrderMarkIsSkippedAndOnlyThere() throws IOException {
        Path file = write(BYTE_ORDER_MARK, utf8("a: 1\n"), BYTE_ORDER_MARK, utf8("b\n"));
        assertThat(TextFiles.read(file)).isEqualTo("a: 1\n\uFEFFb\n");
        assertThat(lines(file)).containsExactly("1:a: 1", "2:\uFEFFb");
    }

    @Test
    void linesEndAtNewlineOrCarriageReturnNewlineAndTheLastNeedsNoTerminator() throws IOException {
        assertThat(lines(write(utf8("é one\r\n\ntwo\nthree")))).containsExactly("1:é one", "2:", "3:two",
                "4:three");
        assertThat(lines(write(BYTE_ORDER_MARK))).isEmpty();
        assertThat(lines(write(utf8("")))).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheLineAndByteOffset() throws IOException {
        Path file = write(BYTE_ORDER_MARK, utf8("ok\nstill ok\nbad "), new byte[] {(byte) 0xC3, (byte) 0x28});
        String where = file + ": line 3, byte offset 19: not UTF-8 text (bytes 0xc3)";
        assertThatThrownBy(() -> lines(file)).isInstanceOf(DataFileException.class).hasMessage(where)
                .satisfies(e -> assertThat(((DataFileException) e).file()).isEqualTo(file));
        assertThatThrownBy(() -> TextFiles.read(file)).isInstanceOf(DataFileException.class).hasMessage(where);
    }

    @Test
    void aBadByteFarIntoALongFileIsPlacedExactly() throws IOException {
        byte[] line = utf8("x".repeat(99) + "\n");
        byte[] many = new byte[line.length * 2000];
        for (int i = 0; i < 2000; i++) {
            System.arraycopy(line, 0, many, i * line.length, line.length);
        }
        Path file = write(many, utf8("tail "), new byte[] {(byte) 0xFF});
        assertThatThrownBy(() -> lines(file)).hasMessageEndingWith("line 2001, byte offset 200005: not UTF-8 text "
                + "(bytes 0xff)");
    }

    @Test
    void aDirectoryIsCalledOneAndAMissingFileIsNoSuchFile() throws IOException {
        Path directory = Files.createDirectory(dir.resolve("data.jsonl"));
        assertThatThrownBy(() -> TextFiles.read(directory)).isInstanceOf(DataFileException.class)
                .hasMessage(directory + ": is a directory; a file was expected");
        assertThatThrownBy(() -> lines(directory)).isInstanceOf(DataFileException.class);
        assertThatThrownBy(() -> TextFiles.requireRegularFile(dir.resolve("missing"), "use --data"))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing").hasMessageContaining(
                        "use --data");
    }

    /**
     * A file far larger than any text file read whole (a model given as a config by mistake) used to be read into the
     * heap; it is refused by its size before a byte is read. The file is sparse, so it costs no disk.
     */
    @Test
    void aTextFileLargerThanTheLimitIsRefusedBeforeItIsRead() throws IOException {
        Path huge = dir.resolve("model.safetensors");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(TextFiles.MAX_READ_BYTES + 1);
        }
        assertThatThrownBy(() -> TextFiles.read(huge)).isInstanceOf(DataFileException.class)
                .hasMessage(huge + ": is " + (TextFiles.MAX_READ_BYTES + 1) + " bytes, more than the "
                        + TextFiles.MAX_READ_BYTES + " a text file read whole may have; is it the file you meant?");
    }

    /** A data file without line breaks (a binary file given as JSON lines) used to be held whole as its first line. */
    @Test
    void aLineLongerThanTheLimitIsRefusedBeforeItIsVisited() throws IOException {
        // The limit is a parameter, so the refusal is shown on a small file: one line at the limit passes, the
        // next, one byte longer, is refused before it is visited.
        Path binary = dir.resolve("weights.bin");
        Files.writeString(binary, "a".repeat(1024) + "\n" + "b".repeat(1025) + "\n" + "c\n");
        List<Integer> visited = new ArrayList<>();
        assertThatThrownBy(() -> TextFiles.forEachLine(binary, 1024, (number, text) -> visited.add(number)))
                .isInstanceOf(DataFileException.class)
                .hasMessage(binary + ": line 2 is longer than 1024 bytes; is it the file you meant?");
        assertThat(visited).containsExactly(1);
        assertThatThrownBy(() -> TextFiles.forEachLine(binary, 0, (number, text) -> visited.add(number)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLineBytes");
    }
}
