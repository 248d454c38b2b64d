package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.llm.SemanticAnswerExtractor;
import java.io.PrintStream;
import java.util.List;

/**
 * Groups free-text answers by meaning with the embedded all-MiniLM-L6-v2 encoder: what self-consistency voting over
 * free-text answers needs, where exact matching would split "Paris" and "the city of Paris".
 */
final class SemanticEquivalenceDemo implements DemoSection {

    @Override
    public String title() {
        return "Semantic answer equivalence (all-MiniLM-L6-v2, ONNX Runtime)";
    }

    @Override
    public void run(PrintStream out) {
        try (OnnxSessionFactory factory = OnnxSessionFactory.builder().intraOpThreads(1).build();
             AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.builder().sessionFactory(factory).build()) {
            SemanticAnswerExtractor answers = SemanticAnswerExtractor.of(encoder);
            out.printf("encoder %s on %s, threshold %.2f%n", encoder.modelId(), encoder.providerUsed(),
                    answers.threshold());
            for (List<String> pair : List.of(List.of("Paris", "The answer is the city of Paris."),
                    List.of("World War II", "the Second World War"), List.of("Paris", "London"),
                    List.of("12", "13"), List.of("Barack Obama", "Michelle Obama"))) {
                String first = answers.extract(pair.get(0)).orElse("");
                String second = answers.extract(pair.get(1)).orElse("");
                out.printf("  %-14s vs %-34s cosine %.3f -> %s%n", "\"" + pair.get(0) + "\"",
                        "\"" + pair.get(1) + "\"", answers.similarity(first, second),
                        answers.equivalent(first, second) ? "same answer" : "different");
            }
        }
    }
}
