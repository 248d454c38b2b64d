package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tiny reasoner as a process reward sees it, counting what its hidden-state reads cost: forward passes, their
 * prompt tokens (prefill, nothing generated) and wall time. Everything else is passed through; it does not own the
 * model. Thread-safe.
 */
final class HiddenStateCost implements CausalLanguageModel {

    private final HuggingFaceOnnxModel model;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();

    HiddenStateCost(HuggingFaceOnnxModel model) {
        this.model = model;
    }

    /** Forward passes, prompt tokens and wall nanoseconds so far. */
    long[] snapshot() {
        return new long[] {passes.get(), tokens.get(), nanos.get()};
    }

    @Override
    public float[] promptHiddenState(String prompt) {
        return promptHiddenState(prompt, -1);
    }

    @Override
    public float[] promptHiddenState(String prompt, int layer) {
        long start = System.nanoTime();
        try {
            return model.promptHiddenState(prompt, layer);
        } finally {
            nanos.addAndGet(System.nanoTime() - start);
            passes.incrementAndGet();
            tokens.addAndGet(model.encode(prompt).length);
        }
    }

    @Override
    public String formatPrompt(String userText) {
        return model.formatPrompt(userText);
    }

    @Override
    public List<Generation> generate(String prompt, int count, GenerationOptions options) {
        return model.generate(prompt, count, options);
    }

    @Override
    public float[] continuationLogProbs(String prompt, String continuation) {
        return model.continuationLogProbs(prompt, continuation);
    }

    @Override
    public int contextLength() {
        return model.contextLength();
    }

    @Override
    public String modelId() {
        return model.modelId();
    }

    /** Does nothing: the model belongs to the caller. */
    @Override
    public void close() {
    }
}
