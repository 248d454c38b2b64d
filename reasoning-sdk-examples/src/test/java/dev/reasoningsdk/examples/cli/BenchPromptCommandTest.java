package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchPromptCommandTest {

    @Test
    void badSettingsAreBadInput() {
        assertThat(ReasoningCli.execute("bench", "prompt", "--budget", "1")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(ReasoningCli.execute("bench", "prompt", "--patience", "0")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    @Test
    void aCacheWithoutAChatModelToCacheIsBadInput() {
        assertThat(ReasoningCli.execute("bench", "prompt", "--cache", "unused.db"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }

    @Test
    void aMissingDataDirectoryIsBadInput() {
        assertThat(ReasoningCli.execute("bench", "prompt", "--data", "/nonexistent/shared/data"))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
    }
}
