package dev.reasoningsdk.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * An option's old name, kept working as a hidden alias after a rename so that scripts do not break (CHANGELOG
 * "Deprecated"; removal in 0.2). The command declares it as a hidden {@code @Option} whose description is
 * {@link #PREFIX} and the new name, on a setter that sets the new option's field, and refuses both names together
 * first thing ({@link #refuseBoth}). {@link ReasoningCli} warns about each old name used once the command has
 * succeeded ({@link #warnUsed}), so bad input still gets its one line on stderr.
 */
final class DeprecatedOption {

    /** How a hidden alias's description starts: {@code "Deprecated name of --max-problems"}. */
    static final String PREFIX = "Deprecated name of ";

    private DeprecatedOption() {
    }

    /**
     * Refuses the old and the new name given together: which one would win depends on their order on the command
     * line.
     *
     * @param spec    the command's spec
     * @param oldName the deprecated name, e.g. {@code --limit}
     * @param newName the option's name now, e.g. {@code --max-problems}
     * @throws IllegalArgumentException if both names were given
     */
    static void refuseBoth(CommandSpec spec, String oldName, String newName) {
        ParseResult given = spec.commandLine().getParseResult();
        if (given.hasMatchedOption(oldName) && given.hasMatchedOption(newName)) {
            throw new IllegalArgumentException("give " + newName + " only: " + oldName + " is its deprecated name");
        }
    }

    /** One line on {@code err} for each deprecated name the command line used, naming the option's name now. */
    static void warnUsed(ParseResult parsed, PrintWriter err) {
        for (ParseResult command = parsed; command != null; command = command.subcommand()) {
            for (OptionSpec option : command.matchedOptions()) {
                String[] description = option.description();
                if (option.hidden() && description.length > 0 && description[0].startsWith(PREFIX)) {
                    err.println("reasoning: " + option.longestName() + " is deprecated and will be removed in 0.2; "
                            + "use " + description[0].substring(PREFIX.length()));
                }
            }
        }
    }
}
