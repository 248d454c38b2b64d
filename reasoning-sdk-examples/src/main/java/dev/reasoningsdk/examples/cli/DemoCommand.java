package dev.reasoningsdk.examples.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code reasoning demo}: an offline tour of every capability on the embedded default models. Each capability
 * contributes one {@link DemoSection}. With {@code --provider openai|ollama} the local model's section samples the
 * remote model instead; the other sections run on embedded models and data either way.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run an offline demo of every capability on the embedded default models.")
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    private ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        ModelEndpoint endpoint = modelOptions.endpoint();
        ModelOptions.refuseFolder(endpoint, "demo", "its tour runs the embedded tiny reasoner's shipped heads, or a "
                + "served model; serve the folder with reasoning serve --model DIR and give --provider openai");
        // Before any section prints: a dead endpoint is refused in one line, not after the offline tour.
        RemoteModel.requireReachable(endpoint, null);
        List<DemoSection> sections = List.of(
                new AnswerExtractionDemo(),
                new SamplerDemo(),
                new SemanticEquivalenceDemo(),
                endpoint.isRemote() ? new RemoteModelDemo(endpoint) : new TinyReasonerDemo(),
                new AggregationDemo(),
                new ConfidenceDemo(),
                new RetrievalDemo(),
                new PromptSearchDemo(),
                new MergeDemo());
        for (DemoSection section : sections) {
            System.out.println("== " + section.title() + " ==");
            section.run(System.out);
            System.out.println();
        }
        return 0;
    }
}
