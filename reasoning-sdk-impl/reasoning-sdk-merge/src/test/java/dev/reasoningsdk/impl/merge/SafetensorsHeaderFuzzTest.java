package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.merge.internal.SafetensorsHeader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Random and mutated header bytes are either valid or refused with a {@link MergeException}, never anything else. */
class SafetensorsHeaderFuzzTest {

    private static final String VALID = "{\"__metadata__\": {\"m\": \"x\"},"
            + " \"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
            + " \"b\": {\"dtype\": \"BF16\", \"shape\": [2, 2], \"data_offsets\": [8, 16]}}";

    @Property(tries = 300)
    void randomHeaderBytesAreRefusedCleanly(@ForAll @Size(max = 64) byte[] header, @ForAll("lengths") long length,
                                            @ForAll("dataSizes") int data) throws Exception {
        check(HostileCheckpointTest.file(length, header, data));
    }

    @Property(tries = 300)
    void mutatedValidHeadersAreRefusedCleanlyOrStillValid(@ForAll("positions") int position,
                                                          @ForAll("chars") char replacement) throws Exception {
        char[] chars = VALID.toCharArray();
        chars[position % chars.length] = replacement;
        byte[] header = new String(chars).getBytes(StandardCharsets.UTF_8);
        check(HostileCheckpointTest.file(header.length, header, 16));
    }

    @Provide
    Arbitrary<Long> lengths() {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 80), Arbitraries.longs());
    }

    @Provide
    Arbitrary<Integer> dataSizes() {
        return Arbitraries.integers().between(0, 32);
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, VALID.length() - 1);
    }

    @Provide
    Arbitrary<Character> chars() {
        return Arbitraries.of('0', '9', '-', '"', '{', '}', '[', ']', ',', ':', ' ', 'x', '\u00e9');
    }

    private static void check(byte[] bytes) throws Exception {
        Path dir = Files.createTempDirectory("fuzz");
        try {
            Path file = dir.resolve("fuzz.safetensors");
            Files.write(file, bytes);
            boolean valid;
            try {
                SafetensorsHeader header = SafetensorsHeader.read(file);
                assertThat(header.dataStart()).isLessThanOrEqualTo(bytes.length);
                valid = true;
            } catch (MergeException e) {
                assertThat(e.getMessage()).contains("fuzz.safetensors").contains("invalid safetensors header");
                valid = false;
            }
            if (!valid) {
                Path out = dir.resolve("out.safetensors");
                try {
                    StreamingModelMerger.create().merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                            .addModel(file, Map.of("weight", RatioSchedule.constant(1))).build());
                } catch (MergeException expected) {
                    // Refused, as the header check said.
                }
                try (Stream<Path> left = Files.list(dir)) {
                    assertThat(left.map(p -> p.getFileName().toString())).containsExactly("fuzz.safetensors");
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
