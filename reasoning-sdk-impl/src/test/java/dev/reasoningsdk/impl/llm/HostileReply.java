package dev.reasoningsdk.impl.llm;

import java.util.function.Supplier;

/**
 * Degenerate model outputs that every reply parser must read in linear time: the runs of one character a model
 * falls into when it degenerates, and a mix of the fragments parsers look for (answer markers, score lines, JSON and
 * think tags, equations, deep nesting) that makes their patterns start a match over and over without finishing one.
 * Each text is built once, on first use; the tests of every package that parses replies feed them to their parsers.
 */
public enum HostileReply {
    /** 100,000 line feeds. */
    NEWLINES(() -> "\n".repeat(100_000)),
    /** 1 MB of digits, no separator. */
    DIGITS(() -> "1234567890".repeat(1 << 17).substring(0, 1 << 20)),
    /** 1 MB of opening parentheses. */
    PARENTHESES(() -> "(".repeat(1 << 20)),
    /** 1 MB of opening square brackets. */
    SQUARE_BRACKETS(() -> "[".repeat(1 << 20)),
    /** 1 MB of opening braces. */
    BRACES(() -> "{".repeat(1 << 20)),
    /** 1 MB of opening angle brackets (GSM8K calculator annotations and think tags start with them). */
    ANGLE_BRACKETS(() -> "<".repeat(1 << 20)),
    /** 100,000 levels of balanced parentheses around an equation, then as many of square brackets and braces. */
    NESTED(HostileReply::nested, false),
    /**
     * An equation nested 10,000 levels deep, then about 1 MB of half-finished parser fragments (answer markers,
     * score lines, JSON and think tags, signs and currency before white space, open brackets, long numbers).
     */
    MIX(HostileReply::mix, false);

    private final Supplier<String> builder;
    private final boolean run;
    private String text;

    HostileReply(Supplier<String> builder) {
        this(builder, true);
    }

    HostileReply(Supplier<String> builder, boolean run) {
        this.builder = builder;
        this.run = run;
    }

    /**
     * Whether the text is a run of one kind of character (or of digits), which states nothing a parser could read:
     * every parser must find nothing in it. The others hold fragments a parser may legitimately read.
     */
    public boolean isRun() {
        return run;
    }

    /** The text, built on first use and shared afterwards. */
    public synchronized String text() {
        if (text == null) {
            text = builder.get();
        }
        return text;
    }

    private static String nested() {
        int depth = 100_000;
        return "(".repeat(depth) + "1" + ")".repeat(depth) + " = 1\n" + "[".repeat(depth) + "]".repeat(depth)
                + "{".repeat(depth) + "}".repeat(depth);
    }

    private static String mix() {
        String fragments = "\n \t*_#> answer \n\n-$ \n- \n$ 1,23 confidence \n = ** \n self-reflection \n Chain 7 \n"
                + " total score \n {\"1\" <think> <<3+4 \n A \n 0. \n The answer is \n #### \n \\boxed{ \n ((((2 [[[[ "
                + "module 3 \n 1 + 2 = ( \n Reasoning Chain 2 \n <<<< \n {{{{ \n yes no \n";
        int depth = 10_000;
        StringBuilder out = new StringBuilder(1 << 21)
                .append("(".repeat(depth)).append("1 + 1").append(")".repeat(depth)).append(" = 2\n");
        while (out.length() < 1 << 20) {
            out.append(fragments).append(" \n".repeat(200)).append("(".repeat(300)).append("7".repeat(300));
        }
        return out.toString();
    }
}
