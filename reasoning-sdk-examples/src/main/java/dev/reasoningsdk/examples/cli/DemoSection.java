package dev.reasoningsdk.examples.cli;

import java.io.PrintStream;

/** One capability's part of {@code reasoning demo}: runs offline and prints what it did. */
public interface DemoSection {

    /** The heading printed before the section. */
    String title();

    /** Runs the section, printing to {@code out}. */
    void run(PrintStream out) throws Exception;
}
