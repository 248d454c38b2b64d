package dev.reasoningsdk.impl;

import dev.reasoningsdk.impl.internal.JsonLines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLinesTest {

    @TempDir
    Path dir;

    @Test
    void readsAFileThatStartsWithAByteOrderMark() throws IOException {
        Path file = dir.resolve("rows.jsonl");
        Files.write(file, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        Files.writeString(file, "{\"a\": 1}\n\n{\"a\": 2}\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);

        assertThat(JsonLines.read(file)).extracting(JsonLines.Row::line).containsExactly(1, 3);
        assertThat(JsonLines.read(file)).extracting(row -> row.node().get("a").asInt()).containsExactly(1, 2);
    }

    @Test
    void bytesThatAreNotUtf8NameTheFileAndLine() throws IOException {
        Path file = Files.write(dir.resolve("rows.jsonl"), new byte[] {'{', '}', '\n', (byte) 0x9F, '\n'});
        assertThatThrownBy(() -> JsonLines.read(file)).isInstanceOf(DataFileException.class)
                .hasMessage(file + ": line 2, byte offset 3: not UTF-8 text (bytes 0x9f)");
    }
}
