package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import java.io.PrintStream;

/**
 * {@code demo --provider openai|ollama}: in place of the tiny reasoner's section, the remote model answers the same
 * word problem five times at T = 0.8 (seeds 7-11) through {@link ChatModelSampler}, with what it cost. An endpoint
 * that answers none of its calls stops the demo as bad input.
 */
final class RemoteModelDemo implements DemoSection {

    private final ModelEndpoint endpoint;

    RemoteModelDemo(ModelEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public String title() {
        return "Remote model: " + endpoint.model() + " (" + endpoint.providerName() + " at " + endpoint.baseUrl()
                + ")";
    }

    @Override
    public void run(PrintStream out) {
        try (RemoteModel remote = new RemoteModel(endpoint)) {
            ChatModelSampler sampler = remote.sampler(0.8);
            out.println("Q: " + TinyReasonerDemo.QUESTION);
            SampleBatch batch = sampler.sample(TinyReasonerDemo.QUESTION, 5, 7);
            for (SampleBatch.Sample sample : batch.samples()) {
                String text = sample.text().strip().replaceAll("\\s+", " ");
                out.printf("  %-70s -> %s%n", text.length() > 70 ? text.substring(0, 67) + "..." : text,
                        AnswerExtractors.numeric().extract(sample.text()).orElse("no answer"));
            }
            batch.failures().forEach(failure -> out.printf("  sample %d failed: %s (%s)%n", failure.index(),
                    failure.kind(), failure.message()));
            out.printf("cost: %d model calls, %d failed, %d+%d tokens%n", batch.usage().modelCalls(),
                    batch.usage().failedCalls(), batch.usage().inputTokens(), batch.usage().outputTokens());
            // An endpoint that answered nothing (no server, a wrong URL, model or key) is bad input, as in judge and
            // the live benches: exit 2 naming it, rather than exit 0 after a section of failures.
            remote.describe(batch.usage());
        }
    }
}
