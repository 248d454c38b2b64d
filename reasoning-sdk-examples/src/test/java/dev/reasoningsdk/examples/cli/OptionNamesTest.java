package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One name per concept across commands: the cap on the problems a command reads from its problems file is
 * {@code --max-problems} everywhere (it was {@code --limit} in the benches and {@code --max-problems} in
 * {@code verifier sample} and {@code step-reward train}), and {@code bench confidence --data-limit} is
 * {@code --max-data-questions}. The old names still work, hidden from the help, with a one-line warning.
 */
class OptionNamesTest {

    @Test
    void everyCommandThatCapsItsProblemsCallsItMaxProblemsInItsHelp() {
        for (List<String> command : List.of(List.of("bench", "aggregate"), List.of("bench", "confidence"),
                List.of("bench", "reasoner"), List.of("verifier", "sample"), List.of("step-reward", "train"))) {
            String help = ReasoningCli.newCommandLine().getSubcommands().get(command.get(0)).getSubcommands()
                    .get(command.get(1)).getUsageMessage();

            assertThat(help).as(String.join(" ", command)).contains("--max-problems").doesNotContain("--limit")
                    .doesNotContain("--data-limit");
        }
    }

    @Test
    void theDeprecatedNamesStillSetTheOptionAndSaySo() throws Exception {
        Path data = SharedData.find(ModelSolutions.DEFAULT_FILE).orElseThrow();
        CliRun renamed = CliRun.of("bench", "confidence", "--json", "--max-data-questions", "40", "--data",
                data.toString());
        CliRun deprecated = CliRun.of("bench", "confidence", "--json", "--data-limit", "40", "--data",
                data.toString());

        assertThat(deprecated.exit()).as(deprecated.err()).isZero();
        assertThat(deprecated.json().at("/real_chains/questions").asInt()).isEqualTo(40);
        assertThat(deprecated.json().at("/real_chains")).isEqualTo(renamed.json().at("/real_chains"));
        assertThat(deprecated.err()).contains("reasoning: --data-limit is deprecated and will be removed in 0.2; "
                + "use --max-data-questions");
        assertThat(renamed.err()).doesNotContain("deprecated");
        // The old name reaches the same field, so the same checks hold for it, under the option's name now.
        CliRun.of("bench", "aggregate", "--live", "--json", "--limit", "0")
                .assertBadInput("--max-problems must be >= 1, was 0");
        CliRun.of("bench", "confidence", "--json", "--data-limit", "3")
                .assertBadInput("--max-data-questions and --max-problems must be >= 4");
    }

    @Test
    void theOldAndTheNewNameTogetherAreBadInput() {
        CliRun.of("bench", "aggregate", "--live", "--json", "--limit", "2", "--max-problems", "3")
                .assertBadInput("give --max-problems only: --limit is its deprecated name");
        CliRun.of("bench", "confidence", "--json", "--data-limit", "8", "--max-data-questions", "8")
                .assertBadInput("give --max-data-questions only: --data-limit is its deprecated name");
    }
}
