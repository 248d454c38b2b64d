package dev.reasoningsdk.impl.internal;

import dev.reasoningsdk.impl.DataFileException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Reads the UTF-8 text files users hand us (JSON-lines data, YAML configs) the same way everywhere: a UTF-8 byte
 * order mark at the start is skipped (editors on Windows write one), a directory or other non-regular file is
 * refused as such before it is opened (a FIFO would block the reader), and bytes that are not UTF-8 are refused
 * with the file, line and byte offset, where the JDK's readers say only "Input length = 1".
 */
public final class TextFiles {

    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int CHUNK = 1 << 16;
    /**
     * The largest file {@link #read} holds in memory, and the longest line {@link #forEachLine} does: far above any
     * config, chat template, tokenizer (the largest Hugging Face tokenizer.json files are tens of MB) or JSON-lines
     * row, far below what would exhaust a default heap once decoded.
     */
    public static final long MAX_READ_BYTES = 256L << 20;
    /** Bytes of a malformed sequence shown in the message: UTF-8 sequences are at most four bytes long. */
    private static final int SHOWN_BYTES = 4;

    private TextFiles() {
    }

    /** Receives the lines of a file in order. */
    @FunctionalInterface
    public interface LineVisitor {
        /**
         * One line, without its line terminator.
         *
         * @param number the 1-based line number
         * @param text   the line
         */
        void line(int number, String text) throws IOException;
    }

    /**
     * Checks that {@code file} is a regular file (symbolic links followed).
     *
     * @return {@code file}
     * @throws NoSuchFileException if nothing is there
     * @throws DataFileException   if it is a directory or another kind of non-regular file
     */
    public static Path requireRegularFile(Path file) throws NoSuchFileException {
        return requireRegularFile(file, "no such file");
    }

    /**
     * As {@link #requireRegularFile(Path)}, with {@code ifMissing} as the reason of the
     * {@link NoSuchFileException}, e.g. a hint at the option that names the file.
     */
    public static Path requireRegularFile(Path file, String ifMissing) throws NoSuchFileException {
        if (Files.isRegularFile(file)) {
            return file;
        }
        if (Files.isDirectory(file)) {
            throw new DataFileException(file, "is a directory; a file was expected");
        }
        if (Files.exists(file)) {
            throw new DataFileException(file, "is not a regular file (a device, FIFO or socket); a file was "
                    + "expected");
        }
        throw new NoSuchFileException(file.toString(), null, ifMissing);
    }

    /**
     * The whole of {@code file} as UTF-8 text, without a leading byte order mark.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws DataFileException   if it is not a regular file, larger than {@link #MAX_READ_BYTES}, or not UTF-8
     *                             (naming the line and byte offset)
     * @throws IOException         if it cannot be read
     */
    public static String read(Path file) throws IOException {
        requireRegularFile(file);
        long size = Files.size(file);
        if (size > MAX_READ_BYTES) {
            // Checked before reading: a model or data file given by mistake would otherwise fill the heap.
            throw new DataFileException(file, "is " + size + " bytes, more than the " + MAX_READ_BYTES
                    + " a text file read whole may have; is it the file you meant?");
        }
        byte[] bytes = Files.readAllBytes(file);
        int start = startsWithByteOrderMark(bytes, bytes.length) ? BYTE_ORDER_MARK.length : 0;
        return decode(file, bytes, start, bytes.length, 1, start);
    }

    /**
     * Visits every line of {@code file}, read as UTF-8 without a leading byte order mark. Lines end at {@code \n}
     * or {@code \r\n}; a last line without a terminator is visited too. Reads one line at a time, so files of any
     * size can be streamed; a line longer than {@link #MAX_READ_BYTES} is refused.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws DataFileException   if it is not a regular file, a line is too long, or a line is not UTF-8 (naming the
     *                             line and the byte offset in the file)
     * @throws IOException         if it cannot be read, or the visitor throws it
     */
    public static void forEachLine(Path file, LineVisitor visitor) throws IOException {
        forEachLine(file, MAX_READ_BYTES, visitor);
    }

    /**
     * As {@link #forEachLine(Path, LineVisitor)}, refusing a line longer than {@code maxLineBytes} (a caller whose
     * format has a tighter natural bound; a test of the refusal that need not write 256 MiB).
     *
     * @throws IllegalArgumentException if {@code maxLineBytes} is not positive
     */
    public static void forEachLine(Path file, long maxLineBytes, LineVisitor visitor) throws IOException {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
        }
        requireRegularFile(file);
        try (PushbackInputStream in = new PushbackInputStream(Files.newInputStream(file), BYTE_ORDER_MARK.length)) {
            long offset = skipByteOrderMark(in);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] chunk = new byte[CHUNK];
            long lineStart = offset;
            int number = 1;
            int read;
            while ((read = in.read(chunk)) > 0) {
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] == '\n') {
                        line.write(chunk, from, i - from);
                        requireShortLine(file, line, number, maxLineBytes);
                        visitor.line(number, decodeLine(file, line.toByteArray(), number, lineStart));
                        line.reset();
                        number++;
                        from = i + 1;
                        lineStart = offset + from;
                    }
                }
                line.write(chunk, from, read - from);
                requireShortLine(file, line, number, maxLineBytes);
                offset += read;
            }
            if (line.size() > 0) {
                visitor.line(number, decodeLine(file, line.toByteArray(), number, lineStart));
            }
        }
    }

    /** A line is held whole in memory: one longer than a whole text file may be is not a line of data. */
    private static void requireShortLine(Path file, ByteArrayOutputStream line, int number, long maxLineBytes) {
        if (line.size() > maxLineBytes) {
            throw new DataFileException(file, "line " + number + " is longer than " + maxLineBytes
                    + " bytes; is it the file you meant?");
        }
    }

    /** Reads past a leading byte order mark; returns its length, or 0 (pushing back what was read) without one. */
    private static long skipByteOrderMark(PushbackInputStream in) throws IOException {
        byte[] head = in.readNBytes(BYTE_ORDER_MARK.length);
        if (startsWithByteOrderMark(head, head.length)) {
            return head.length;
        }
        in.unread(head);
        return 0;
    }

    private static boolean startsWithByteOrderMark(byte[] bytes, int length) {
        return length >= BYTE_ORDER_MARK.length
                && Arrays.equals(bytes, 0, BYTE_ORDER_MARK.length, BYTE_ORDER_MARK, 0, BYTE_ORDER_MARK.length);
    }

    private static String decodeLine(Path file, byte[] line, int number, long lineStart) {
        int end = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
        return decode(file, line, 0, end, number, lineStart);
    }

    /**
     * Decodes {@code bytes[from, to)}, which start at line {@code line} and byte {@code fileOffset} of {@code file},
     * refusing malformed UTF-8 with its line and byte offset.
     */
    private static String decode(Path file, byte[] bytes, int from, int to, int line, long fileOffset) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        // UTF-8 never decodes to more chars than it has bytes.
        CharBuffer out = CharBuffer.allocate(to - from);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            int errorLine = line;
            for (int i = from; i < at; i++) {
                if (bytes[i] == '\n') {
                    errorLine++;
                }
            }
            int shown = Math.min(Math.min(result.length(), SHOWN_BYTES), to - at);
            throw new DataFileException(file, "line " + errorLine + ", byte offset " + (fileOffset + at - from)
                    + ": not UTF-8 text (bytes 0x" + HexFormat.of().formatHex(bytes, at, at + shown) + ")");
        }
        return out.flip().toString();
    }
}
