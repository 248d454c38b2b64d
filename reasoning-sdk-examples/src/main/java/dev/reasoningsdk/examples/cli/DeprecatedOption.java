package dev.reasoningsdk.examples.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * An option's old name, kept working as a hidden alias after a rename so that scripts do not break (CHANGELOG
 * "Deprecated"; removal in 0.2): the command declares it as a hidden {@code @Option} on a setter that sets the new
 * option's field, refuses both names together first thing ({@link #refuseBoth}), and warns once its arguments are
 * checked ({@link #warn}), so bad input still gets its one line on stderr.
 */
final class DeprecatedOption {

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

    /** Warns on stderr, in one line, when the old name was given. */
    static void warn(CommandSpec spec, String oldName, String newName) {
        if (spec.commandLine().getParseResult().hasMatchedOption(oldName)) {
            spec.commandLine().getErr().println("reasoning: " + oldName + " is deprecated and will be removed in "
                    + "0.2; use " + newName);
        }
    }
}
