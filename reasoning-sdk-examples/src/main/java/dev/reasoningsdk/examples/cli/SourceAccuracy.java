package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each source's share of right chains over the questions {@linkplain #add added}, the offline bench's "single model"
 * baselines. A share of chains rather than of questions, so a source that gave several chains per question (a user's
 * model sampled by {@code verifier sample}) is measured as one sample of it; with one chain per question and source,
 * as in GSM8K's model solutions, the two are the same. Not thread-safe: one bench loop fills it.
 */
final class SourceAccuracy {

    private final AnswerExtractor extractor;
    private final Map<String, int[]> rightAndTotal = new LinkedHashMap<>();

    SourceAccuracy(AnswerExtractor extractor) {
        this.extractor = extractor;
    }

    /** Counts {@code question}'s chains; returns whether any of them is right (the oracle's pick). */
    boolean add(VerifierTrainer.LabelledChains question) {
        boolean any = false;
        for (ReasoningChain chain : question.chains()) {
            boolean right = BenchAggregateCommand.correct(extractor, extractor.extract(chain.text()), question.gold());
            int[] counts = rightAndTotal.computeIfAbsent(chain.source(), source -> new int[2]);
            counts[0] += right ? 1 : 0;
            counts[1]++;
            any |= right;
        }
        return any;
    }

    /** Each source's share of right chains, in the order the sources were first seen. */
    Map<String, Double> accuracies() {
        Map<String, Double> accuracies = new LinkedHashMap<>();
        rightAndTotal.forEach((source, counts) -> accuracies.put(source, (double) counts[0] / counts[1]));
        return Collections.unmodifiableMap(accuracies);
    }

    /** The best source's share, 0 before any chain. */
    double best() {
        return accuracies().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
