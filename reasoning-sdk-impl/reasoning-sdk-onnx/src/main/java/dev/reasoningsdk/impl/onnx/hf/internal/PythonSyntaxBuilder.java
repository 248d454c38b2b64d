package dev.reasoningsdk.impl.onnx.hf.internal;

import static jinjava.de.odysseus.el.tree.impl.Builder.Feature.METHOD_INVOCATIONS;
import static jinjava.de.odysseus.el.tree.impl.Builder.Feature.NULL_PROPERTIES;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.AstNamedParameter;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import java.util.ArrayList;
import java.util.List;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Builder.Feature;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner.ScanException;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstNull;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;

/**
 * Jinjava's expression syntax with Python's keyword arguments (the value after {@code name=} is a whole expression)
 * and Python's subscripts: {@code seq[start:stop:step]} with any part left out, as in
 * Qwen's {@code messages[::-1]}, which Jinjava's parser refuses. Every slice, with or without a step, is evaluated
 * by {@link PythonSliceFilter} with Python's rules (negative indices and steps, bounds clamped), so that
 * {@code xs[-2:]} means what it means in jinja2. Requires Jinjava's natural operator precedence
 * ({@code LegacyOverrides.withUseNaturalOperatorPrecedence(true)}), under which filters and tests are parsed at their
 * own level rather than after each value; {@link HuggingFaceJinja} sets it.
 */
public final class PythonSyntaxBuilder extends ExtendedSyntaxBuilder {

    private static final long serialVersionUID = 1L;

    /** With the features Jinjava's own factory enables (JUEL's JEE6 profile): method calls and varargs. */
    public PythonSyntaxBuilder() {
        super(Feature.METHOD_INVOCATIONS, Feature.VARARGS);
    }

    @Override
    protected Parser createParser(String expression) {
        return new PythonSubscriptParser(this, expression);
    }

    /** Jinjava's parser with {@link #value()} extended to three-part slices. */
    private static final class PythonSubscriptParser extends ExtendedParser {

        PythonSubscriptParser(Builder context, String input) {
            super(context, input);
        }

        /**
         * Jinjava's {@code value()}: a value followed by any number of {@code .name}, {@code .name(args)},
         * {@code [key]} and slices. The only change is the slice branch.
         */
        @Override
        protected AstNode value() throws ScanException, ParseException {
            boolean lvalue = true;
            AstNode v = nonliteral();
            if (v == null) {
                v = literal();
                if (v == null) {
                    return null;
                }
                lvalue = false;
            }
            while (true) {
                switch (getToken().getSymbol()) {
                    case DOT -> {
                        consumeToken();
                        String name = consumeToken(Symbol.IDENTIFIER).getImage();
                        var dot = createAstDot(v, name, lvalue);
                        v = getToken().getSymbol() == Symbol.LPAREN && context.isEnabled(METHOD_INVOCATIONS)
                                ? createAstMethod(dot, params())
                                : dot;
                    }
                    case LBRACK -> {
                        consumeToken();
                        AstNode first = expr(false);
                        Symbol after = consumeToken().getSymbol();
                        if (after == Symbol.COLON) {
                            v = slice(v, first);
                        } else if (after == Symbol.RBRACK) {
                            var bracket = createAstBracket(v, first, lvalue, !context.isEnabled(NULL_PROPERTIES));
                            v = getToken().getSymbol() == Symbol.LPAREN && context.isEnabled(METHOD_INVOCATIONS)
                                    ? createAstMethod(bracket, params())
                                    : bracket;
                        } else {
                            fail(Symbol.RBRACK);
                        }
                    }
                    default -> {
                        return v;
                    }
                }
            }
        }

        /**
         * A call's arguments, where a keyword argument's value is a whole expression as in Python
         * ({@code namespace(i=xs|length - 1)}); Jinjava parses {@code name=value} as an operator at the level of
         * {@code +}, so it would read {@code (i=xs|length) - 1}.
         */
        @Override
        protected AstParameters params() throws ScanException, ParseException {
            consumeToken(Symbol.LPAREN);
            List<AstNode> parameters = new ArrayList<>();
            if (getToken().getSymbol() != Symbol.RPAREN) {
                parameters.add(parameter());
                while (getToken().getSymbol() == Symbol.COMMA) {
                    consumeToken();
                    parameters.add(parameter());
                }
            }
            consumeToken(Symbol.RPAREN);
            return createAstParameters(parameters);
        }

        private AstNode parameter() throws ScanException, ParseException {
            if (getToken().getSymbol() == Symbol.IDENTIFIER && lookahead(0).getSymbol() == Symbol.EXTENSION
                    && "=".equals(lookahead(0).getImage())) {
                String name = consumeToken().getImage();
                consumeToken();
                return new AstNamedParameter(identifier(name), expr(true));
            }
            return expr(true);
        }

        /** After {@code base[start:}: reads {@code stop}, an optional {@code :step} and {@code ]}. */
        private AstNode slice(AstNode base, AstNode start) throws ScanException, ParseException {
            AstNode stop = expr(false);
            AstNode step = null;
            if (getToken().getSymbol() == Symbol.COLON) {
                consumeToken();
                step = expr(false);
            }
            consumeToken(Symbol.RBRACK);
            // Built as Jinjava builds `base|pyslice(start, stop, step)`: filter:NAME.filter(base, interpreter, ...).
            List<AstNode> parameters = new ArrayList<>(List.of(base, interpreter()));
            for (AstNode part : new AstNode[] {start, stop, step}) {
                parameters.add(part == null ? new AstNull() : part);
            }
            return createAstMethod(createAstDot(identifier(FILTER_PREFIX + PythonSliceFilter.NAME), "filter", true),
                    createAstParameters(parameters));
        }
    }
}
