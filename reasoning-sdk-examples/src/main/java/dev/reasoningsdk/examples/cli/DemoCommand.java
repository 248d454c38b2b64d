package dev.reasoningsdk.examples.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code reasoning demo}: an offline tour of every capability on the embedded default models. Each capability
 * contributes one {@link DemoSection}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run an offline demo of every capability on the embedded default models.")
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    private static final List<DemoSection> SECTIONS = List.of(
            new AnswerExtractionDemo(),
            new SamplerDemo(),
            new SemanticEquivalenceDemo(),
            new TinyReasonerDemo(),
            new AggregationDemo(),
            new ConfidenceDemo(),
            new RetrievalDemo(),
            new PromptSearchDemo(),
            new MergeDemo());

    @Override
    public Integer call() throws Exception {
        for (DemoSection section : SECTIONS) {
            System.out.println("== " + section.title() + " ==");
            section.run(System.out);
            System.out.println();
        }
        return 0;
    }
}
