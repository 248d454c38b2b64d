package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A sampler whose sample with seed {@code i} is {@code texts.get(i)}; records every call. */
final class ScriptedSampler implements ChainSampler {

    private final List<String> texts;
    final List<int[]> calls = new ArrayList<>();
    final List<String> prompts = new ArrayList<>();

    ScriptedSampler(List<String> texts) {
        this.texts = texts;
    }

    @Override
    public synchronized SampleBatch sample(String prompt, int count, long firstSeed) {
        calls.add(new int[] {(int) firstSeed, count});
        prompts.add(prompt);
        List<SampleBatch.Sample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int seed = (int) firstSeed + i;
            samples.add(new SampleBatch.Sample(i, texts.get(seed % texts.size()), 10, 20, 1));
        }
        return new SampleBatch(count, samples, List.of(), StopReason.COMPLETED,
                new Usage(count, count, 0, 10L * count, 20L * count, Duration.ZERO));
    }

    @Override
    public String name() {
        return "scripted";
    }
}
