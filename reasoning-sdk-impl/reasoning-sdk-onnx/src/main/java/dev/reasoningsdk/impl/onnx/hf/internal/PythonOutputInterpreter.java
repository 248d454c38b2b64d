package dev.reasoningsdk.impl.onnx.hf.internal;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;

/**
 * Jinjava's interpreter printing a boolean as Python does, {@code True} and {@code False}
 * ({@code {{ s.startswith('x') }}}); Jinjava prints {@code true}. Made by {@link #FACTORY}.
 */
final class PythonOutputInterpreter extends JinjavaInterpreter {

    /** Makes these interpreters for {@link HuggingFaceJinja}'s configuration. */
    static final InterpreterFactory FACTORY = new InterpreterFactory() {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new PythonOutputInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
            return new PythonOutputInterpreter(application, context, renderConfig);
        }
    };

    private PythonOutputInterpreter(JinjavaInterpreter orig) {
        super(orig);
    }

    private PythonOutputInterpreter(Jinjava application, Context context, JinjavaConfig renderConfig) {
        super(application, context, renderConfig);
    }

    @Override
    public String getAsString(Object object) {
        if (object instanceof Boolean bool) {
            return bool ? "True" : "False";
        }
        return super.getAsString(object);
    }
}
