package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.impl.retrieval.UnifiedActiveRetrieval;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Unified Active Retrieval on five requests: the shipped heads over the embedded MiniLM encoder and the tiny
 * reasoner's self-knowledge head, judged in one batch.
 */
final class RetrievalDemo implements DemoSection {

    private static final List<String> REQUESTS = List.of(
            "Search the web for reviews of the new Pixel phone.",
            "Rewrite this sentence in the passive voice: The cat chased the mouse.",
            "Who is the current prime minister of Japan?",
            "Who wrote the novel Middlemarch?",
            "Sam has 14 apples. He buys 7 more. How many apples does Sam have?");

    @Override
    public String title() {
        return "Retrieval judge (Unified Active Retrieval)";
    }

    @Override
    public void run(PrintStream out) {
        try (RetrievalSetup setup = new RetrievalSetup(RetrievalSetup.Reasoner.INT8_HIDDEN_STATES)) {
            UnifiedActiveRetrieval judge = setup.judge();
            List<RetrievalDecision> decisions = judge.judgeAll(REQUESTS);
            out.println("retrieve  decided by      intent know  time  self  request");
            for (int i = 0; i < REQUESTS.size(); i++) {
                RetrievalDecision decision = decisions.get(i);
                out.printf(Locale.ROOT, "%-9s %-15s %s %s%n", decision.retrieve() ? "yes" : "no",
                        decision.decidedBy().map(RetrievalSetup::cliName).orElse("default"),
                        probabilities(decision), REQUESTS.get(i));
            }
            out.printf(Locale.ROOT, "(%d requests in one batch, %.1f ms each)%n", REQUESTS.size(),
                    decisions.get(0).usage().wallTime().toNanos() / 1e6);
            out.println("self = the tiny reasoner's hidden-state head, trained on its own arithmetic answers: outside"
                    + " arithmetic it shows the mechanism, not a meaningful signal.");
        }
    }

    private static String probabilities(RetrievalDecision decision) {
        StringBuilder text = new StringBuilder();
        for (CriterionKind kind : CriterionKind.values()) {
            text.append(decision.probability(kind).map(p -> String.format(Locale.ROOT, "%.2f  ", p)).orElse("  -   "));
        }
        return text.toString().stripTrailing();
    }
}
