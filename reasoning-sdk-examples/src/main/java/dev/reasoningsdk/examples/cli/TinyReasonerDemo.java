package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import java.io.PrintStream;
import java.util.List;

/** The embedded tiny reasoner: one word problem solved greedily, then five samples decoded as one batch. */
final class TinyReasonerDemo implements DemoSection {

    /** Eval problem 320 (gold 697): greedy gets it right, samples split between 697 and 797. */
    static final String QUESTION = "Jack has 542 buttons. Then he trades away 56. Jack finds 71 more. Leo"
            + " gives him 71 more. He wins 69 more. How many buttons does he have now?";

    @Override
    public String title() {
        return "Local model: the tiny reasoner (ONNX Runtime, KV cache)";
    }

    @Override
    public void run(PrintStream out) {
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            String prompt = TinyReasoner.prompt(QUESTION);
            out.println("Q: " + QUESTION);
            long start = System.nanoTime();
            Generation greedy = model.generate(prompt, 1, GenerationOptions.greedy(320)).get(0);
            out.printf("greedy:%s  -> %s (%d tokens, %.0f ms)%n", greedy.text(),
                    TinyReasoner.extractAnswer(greedy.text()).map(String::valueOf).orElse("no answer"),
                    greedy.tokenIds().length, (System.nanoTime() - start) / 1e6);
            start = System.nanoTime();
            List<Generation> samples = model.generate(prompt, 5, GenerationOptions.sampling(0.8, 320, 7));
            out.printf("5 samples at T=0.8 (one batched decode, %.0f ms, %s):%n", (System.nanoTime() - start) / 1e6,
                    model.providerUsed());
            for (Generation sample : samples) {
                double logProb = 0;
                for (float tokenLogProb : sample.tokenLogProbs()) {
                    logProb += tokenLogProb;
                }
                out.printf("  %-70s -> %s (mean token log-prob %.3f)%n", sample.text().strip(),
                        TinyReasoner.extractAnswer(sample.text()).map(String::valueOf).orElse("no answer"),
                        logProb / Math.max(1, sample.tokenLogProbs().length));
            }
        }
    }
}
