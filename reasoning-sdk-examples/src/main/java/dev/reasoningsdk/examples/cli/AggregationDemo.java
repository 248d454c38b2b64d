package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Aggregates the four real model solutions of one GSM8K question (embedded, MIT) two ways: a majority vote, which
 * has nothing to go on when all four answers differ, and Aggregation of Reasoning with the arithmetic verifier as
 * judge, which re-computes every step and finds the one chain whose arithmetic and answer hold together.
 */
final class AggregationDemo implements DemoSection {

    private static final String RESOURCE = "/dev/reasoningsdk/examples/aggregate/gsm8k-question-606.jsonl";

    @Override
    public String title() {
        return "Aggregation: majority vote vs Aggregation of Reasoning on four real GSM8K chains";
    }

    @Override
    public void run(PrintStream out) throws IOException {
        JsonNode row;
        try (InputStream in = AggregationDemo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing demo resource " + RESOURCE);
            }
            row = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        AnswerExtractor numeric = AnswerExtractors.numeric();
        String question = row.path("question").asText();
        List<ReasoningChain> chains = ModelSolutions.parse(row, RESOURCE).chains();
        String gold = numeric.extract(row.path("ground_truth").asText()).orElse("?");
        out.println("Q: " + question);
        out.println("gold answer: " + gold);

        AggregationResult majority = MajorityVote.of(numeric).aggregate(question, chains);
        out.printf("majority vote  -> %s (%d answers, %s votes each; the tie goes to the answer seen first)%n",
                majority.answer().orElse("none"), majority.groups().size(),
                majority.groups().stream().map(g -> String.valueOf(g.votes())).toList());

        ArithmeticVerifier verifier = ArithmeticVerifier.builder().wholeNumberAnswers(true).build();
        AggregationResult aor = AggregationOfReasoning.builder().extractor(numeric).scorer(verifier).build()
                .aggregate(question, chains);
        for (AnswerGroup group : aor.groups()) {
            for (ScoredChain chain : group.chains()) {
                ArithmeticVerifier.Verification check = verifier.verify(chain.chain().text());
                out.printf(Locale.ROOT, "  %-18s answer %-6s steps right %d/%d, answer from a step: %-5s, "
                                + "whole number: %-5s -> score %.1f%n", chain.chain().source(), group.answer(),
                        check.correctSteps(), check.steps().size(), check.answerConsistent(),
                        check.answerPlausible(), chain.localScore().orElse(Double.NaN));
            }
        }
        out.printf(Locale.ROOT, "AoR + verifier -> %s (group score %.1f, margin %.1f, stop: %s, %d model calls)%n",
                aor.answer().orElse("none"), aor.groups().get(0).score(), aor.margin(), aor.stopReason(),
                aor.usage().modelCalls());
    }
}
