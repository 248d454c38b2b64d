package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One name per concept across commands: the cap on the problems a command reads from its problems file is
 * {@code --max-problems} everywhere (it was {@code --limit} in the benches and {@code --max-problems} in
 * {@code verifier sample} and {@code step-reward train}), and {@code bench confidence --data-limit} is
 * {@code --max-data-questions}; chains per problem are {@code --samples} ({@code step-reward train --chains}), the
 * feature sets cross-validation chooses from {@code --feature-sets} ({@code judge train --feature-grid}), the
 * problems file {@code --problems} ({@code bench reasoner --eval}). The old names still work, hidden from the help,
 * with a one-line warning.
 */
class OptionNamesTest {

    @Test
    void everyCommandThatCapsItsProblemsCallsItMaxProblemsInItsHelp() {
        for (List<String> command : List.of(List.of("bench", "aggregate"), List.of("bench", "confidence"),
                List.of("bench", "reasoner"), List.of("verifier", "sample"), List.of("step-reward", "train"))) {
            String help = usage(command.get(0), command.get(1));

            assertThat(help).as(String.join(" ", command)).contains("--max-problems").doesNotContain("--limit")
                    .doesNotContain("--data-limit");
        }
    }

    @Test
    void theOtherRenamedOptionsCarryTheirSharedNameInTheHelp() {
        // Chains sampled per problem are --samples in every command; the feature sets chosen by cross-validation are
        // --feature-sets in both trainers; the problems file is --problems in every command that reads one.
        String stepReward = usage("step-reward", "train");
        assertThat(stepReward).contains("--samples").doesNotContain("--chains");
        String judgeTrain = usage("judge", "train");
        assertThat(judgeTrain).contains("--feature-sets").doesNotContain("--feature-grid");
        assertThat(usage("verifier", "train")).contains("--feature-sets");
        String reasoner = usage("bench", "reasoner");
        assertThat(reasoner).contains("--problems").doesNotContain("--eval");
    }

    @Test
    void theOtherDeprecatedNamesAreAliasesToo() {
        // The alias reaches the option: its check names the option as it is called now.
        CliRun.of("step-reward", "train", "--chains", "0").assertBadInput("--samples must be >= 1, was 0");
        CliRun.of("step-reward", "train", "--chains", "2", "--samples", "2")
                .assertBadInput("give --samples only: --chains is its deprecated name");
        CliRun.of("judge", "train", "--criterion", "self-knowledge", "--data", "pom.xml", "--out",
                "never-written.json", "--feature-grid", "0,v2").assertBadInput("--feature-sets is for encoder heads");
        CliRun.of("bench", "reasoner", "--eval", "no/such/eval.jsonl")
                .assertBadInput("no/such/eval.jsonl");
        CliRun.of("bench", "reasoner", "--eval", "a.jsonl", "--problems", "b.jsonl")
                .assertBadInput("give --problems only: --eval is its deprecated name");
    }

    private static String usage(String command, String subcommand) {
        return ReasoningCli.newCommandLine().getSubcommands().get(command).getSubcommands().get(subcommand)
                .getUsageMessage();
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
