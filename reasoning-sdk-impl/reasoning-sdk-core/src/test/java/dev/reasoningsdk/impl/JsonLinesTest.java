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
    void aLineHoldingMoreThanOneValueIsRefusedNamingIt() throws IOException {
        // A lost line break joins two rows; read as its first value, the second row was dropped without a word.
        for (String line : new String[] {"{\"a\": 2}{\"a\": 3}", "{\"a\": 2} junk", "{\"a\": 2}]", "2 3"}) {
            Path file = Files.writeString(dir.resolve("rows.jsonl"), "{\"a\": 1}\n" + line + "\n");
            assertThatThrownBy(() -> JsonLines.read(file)).as(line).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(file + ":2: not JSON");
        }
        Path spaced = Files.writeString(dir.resolve("spaced.jsonl"), "{\"a\": 1}  \t\r\n");
        assertThat(JsonLines.read(spaced)).hasSize(1);
    }

    @Test
    void aValuePastTheParsersLimitsIsRefusedAsTooLargeNotAsNotJson() throws IOException {
        // Valid JSON whose string is longer than Jackson reads (20 million characters): the line is JSON, so the
        // refusal must say what is wrong with it rather than call it not JSON.
        Path file = Files.writeString(dir.resolve("rows.jsonl"),
                "{\"a\": 1}\n{\"a\": \"" + "x".repeat(20_000_001) + "\"}\n");
        assertThatThrownBy(() -> JsonLines.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ":2: a value too large to read: ")
                .hasMessageContaining("20000000");
    }

    @Test
    void bytesThatAreNotUtf8NameTheFileAndLine() throws IOException {
        Path file = Files.write(dir.resolve("rows.jsonl"), new byte[] {'{', '}', '\n', (byte) 0x9F, '\n'});
        assertThatThrownBy(() -> JsonLines.read(file)).isInstanceOf(DataFileException.class)
                .hasMessage(file + ": line 2, byte offset 3: not UTF-8 text (bytes 0x9f)");
    }
}
