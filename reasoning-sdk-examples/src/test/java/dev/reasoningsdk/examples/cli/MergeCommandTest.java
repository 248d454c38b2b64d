package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeCommandTest {

    @TempDir
    Path dir;

    @Test
    void mergesTheTinyReasonerPairFromAConfig() throws Exception {
        Path pair = SharedData.find(MergeDemo.TUNED_PAIR).orElseThrow();
        Path config = Files.writeString(dir.resolve("merge.yaml"), "merge_method: slerp\n"
                + "base_model: " + pair.resolve("base.safetensors") + "\n"
                + "models:\n  - model: " + pair.resolve("tuned.safetensors") + "\n"
                + "parameters:\n  t: [0.2, 0.8]\n");
        Path out = dir.resolve("out");
        assertThat(ReasoningCli.execute("merge", config.toString(), out.toString(), "--max-shard-size", "4MB"))
                .isZero();
        assertThat(out.resolve("model.safetensors.index.json")).exists();
        assertThat(out.resolve("model-00001-of-00005.safetensors")).exists();
    }

    @Test
    void unsupportedKeysExitWithBadInput() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "merge_method: linear\nchat_template: auto\n"
                + "models: []\n");
        assertThat(ReasoningCli.execute("merge", config.toString(), dir.resolve("out").toString())).isEqualTo(2);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void sizesParse() {
        assertThat(MergeCommand.parseSize("5GB")).isEqualTo(5_000_000_000L);
        assertThat(MergeCommand.parseSize("2MiB")).isEqualTo(2L << 20);
        assertThat(MergeCommand.parseSize("123")).isEqualTo(123);
    }
}
