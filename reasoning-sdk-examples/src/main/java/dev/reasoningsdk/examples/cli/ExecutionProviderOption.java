package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import picocli.CommandLine.Option;

/**
 * {@code --provider auto|cpu|cuda} for every command that loads an ONNX model: it sets the process-wide switch
 * ({@value ExecutionProvider#PROPERTY}) that every session factory built with defaults reads, so one option reaches
 * the encoder, the tiny reasoner and anything they load.
 */
final class ExecutionProviderOption {

    @Option(names = "--provider", paramLabel = "auto|cpu|cuda",
            description = "Where ONNX models run (default: ${sys:reasoning.onnx.provider:-${env:REASONING_ONNX_PROVIDER:-auto}}).")
    void provider(String value) {
        ExecutionProvider provider = ExecutionProvider.parse(value, "--provider");
        System.setProperty(ExecutionProvider.PROPERTY, provider.name());
    }
}
