package dev.reasoningsdk.impl.onnx.hf.internal;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava set up as Hugging Face {@code transformers} sets up jinja2 for chat templates
 * ({@code apply_chat_template}): {@code trim_blocks} and {@code lstrip_blocks} on, {@code {{-}} / {@code -}}}
 * trimming around expressions as well as tags, the loop controls ({@code break}, {@code continue}), the globals
 * {@code raise_exception(message)} and {@code strftime_now(format)}, a {@code tojson} filter with Python's output
 * ({@link PythonJson}), Python string methods ({@link PythonStringMethods}), Python slices with steps
 * ({@link PythonSyntaxBuilder}), Python's operator precedence (filters bind tighter than arithmetic, so
 * {@code namespace(i=xs|length - 1)} works), and jinja2's own {@code namespace(...)}. The template's failures come
 * back as {@link TemplateException}, a {@code raise_exception} with the template's own message.
 *
 * <p>Thread-safe: one instance renders any number of templates concurrently.
 */
public final class HuggingFaceJinja {

    /**
     * What the static template globals see during a render on this thread: Jinjava calls globals as static
     * methods, so the clock and a {@code raise_exception} message travel beside the call.
     */
    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

    /**
     * jinja2's {@code lstrip_blocks}: spaces and tabs from the start of a line up to a block tag or a comment,
     * unless it opens with {@code +} (its lexer applies the same rule to the source).
     */
    private static final Pattern LSTRIP_BLOCKS = Pattern.compile("(?m)^[ \\t]+(?=\\{[%#](?!\\+))");

    private final Jinjava jinjava;

    /** An engine; each render names the clock its {@code strftime_now} reads. */
    public HuggingFaceJinja() {
        LegacyOverrides overrides = LegacyOverrides.newBuilder()
                .withUseTrimmingForNotesAndExpressions(true)
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withKeepNullableLoopValues(true)
                .withUsePyishObjectMapper(true)
                .build();
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                // lstrip_blocks is done on the source (LSTRIP_BLOCKS): Jinjava's also strips the spaces in
                // "a, {% endif %}", which are not at the start of a line, and jinja2 keeps them.
                .withLstripBlocks(false)
                .withLegacyOverrides(overrides)
                .withElResolver(resolver)
                .withFailOnUnknownTokens(false)
                // jinja2 prints a value as it is; Jinjava by default renders a value holding "{{" again, which ran a
                // message's text as a template (and failed on a chain holding "{{$").
                .withNestedInterpretationEnabled(false)
                .withInterperterFactory(PythonOutputInterpreter.FACTORY)
                .build();
        ExpressionFactory expressions = new ExpressionFactoryImpl(
                new TreeStore(new PythonSyntaxBuilder(), new Cache(256)), new TruthyTypeConverter());
        this.jinjava = new Jinjava(config) {
            @Override
            public ExpressionFactory getExpressionFactory() {
                return expressions;
            }
        };
        jinjava.getGlobalContext().registerFilter(new PythonJson());
        jinjava.getGlobalContext().registerFilter(new PythonSliceFilter());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                HuggingFaceJinja.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                HuggingFaceJinja.class, "strftimeNow", String.class));
    }

    /**
     * Parses {@code template} without rendering it.
     *
     * @throws TemplateException naming the first syntax error and its line
     */
    public void check(String template) {
        Objects.requireNonNull(template, "template");
        JinjavaInterpreter interpreter = jinjava.newInterpreter();
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            Node root = interpreter.parse(lstripBlocks(template));
            Objects.requireNonNull(root, "root");
            fail(interpreter.getErrorsCopy(), null);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    /**
     * Renders {@code template} with {@code variables}.
     *
     * @param clock what {@code strftime_now} reads
     * @throws TemplateException with the template's own message for {@code raise_exception}, or naming the first
     *                           error and its line
     */
    public String render(String template, Map<String, ?> variables, Clock clock) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(variables, "variables");
        CLOCK.set(Objects.requireNonNull(clock, "clock"));
        RAISED.remove();
        try {
            RenderResult result = jinjava.renderForResult(lstripBlocks(template), variables);
            fail(result.getErrors(), RAISED.get());
            return result.getOutput();
        } finally {
            CLOCK.remove();
            RAISED.remove();
        }
    }

    private static String lstripBlocks(String template) {
        return LSTRIP_BLOCKS.matcher(template).replaceAll("");
    }

    private static void fail(List<TemplateError> errors, String raised) {
        if (raised != null) {
            throw new TemplateException(raised, true);
        }
        // Warnings too: Jinjava reports an unknown filter or a failed call as a warning and renders on, where
        // jinja2 stops; a prompt rendered past such a warning would differ from the model's own without a sign.
        for (TemplateError error : errors) {
            throw new TemplateException("line " + error.getLineno() + ": " + error.getMessage(), false);
        }
    }

    /** The template global {@code raise_exception(message)}. */
    public static String raiseException(String message) {
        RAISED.set(String.valueOf(message));
        throw new TemplateException(String.valueOf(message), true);
    }

    /** The template global {@code strftime_now(format)}: the current time in Python's {@code strftime} format. */
    public static String strftimeNow(String format) {
        Clock clock = CLOCK.get();
        return strftime(ZonedDateTime.now(clock == null ? Clock.systemDefaultZone() : clock), format);
    }

    /** Python's {@code strftime} for the directives chat templates use (and glibc's {@code %-d} forms). */
    static String strftime(ZonedDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char directive = format.charAt(++i);
            boolean unpadded = directive == '-' && i + 1 < format.length();
            if (unpadded) {
                directive = format.charAt(++i);
            }
            String pattern = unpadded ? "%d" : "%02d";
            switch (directive) {
                case 'Y' -> out.append(time.getYear());
                case 'y' -> out.append(String.format("%02d", time.getYear() % 100));
                case 'm' -> out.append(String.format(pattern, time.getMonthValue()));
                case 'd' -> out.append(String.format(pattern, time.getDayOfMonth()));
                case 'e' -> out.append(String.format("%2d", time.getDayOfMonth()));
                case 'H' -> out.append(String.format(pattern, time.getHour()));
                case 'I' -> out.append(String.format(pattern, (time.getHour() + 11) % 12 + 1));
                case 'M' -> out.append(String.format(pattern, time.getMinute()));
                case 'S' -> out.append(String.format(pattern, time.getSecond()));
                case 'p' -> out.append(time.getHour() < 12 ? "AM" : "PM");
                case 'j' -> out.append(String.format(unpadded ? "%d" : "%03d", time.getDayOfYear()));
                case 'B' -> out.append(time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b' -> out.append(time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> out.append(time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> out.append('%');
                default -> throw new IllegalArgumentException("strftime directive %" + directive
                        + " is not supported");
            }
        }
        return out.toString();
    }

    /** A chat template failed: its own {@code raise_exception}, or an error Jinjava reported. */
    public static final class TemplateException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean raisedByTemplate;

        TemplateException(String message, boolean raisedByTemplate) {
            super(message);
            this.raisedByTemplate = raisedByTemplate;
        }

        /** Whether the template called {@code raise_exception} (the caller's messages broke its rules). */
        public boolean raisedByTemplate() {
            return raisedByTemplate;
        }
    }
}
