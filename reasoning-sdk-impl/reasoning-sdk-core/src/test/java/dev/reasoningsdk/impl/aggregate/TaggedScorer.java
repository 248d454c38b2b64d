package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scorer that reads scores from tags in the chain text: {@code [s=7]} its local score, {@code [g=4]} its global
 * score (the local one when absent); a chain without a tag is unscorable. Records every call.
 */
final class TaggedScorer implements ChainScorer {

    private static final Pattern LOCAL = Pattern.compile("\\[s=([\\d.]+)]");
    private static final Pattern GLOBAL = Pattern.compile("\\[g=([\\d.]+)]");

    final List<List<String>> localCalls = new ArrayList<>();
    final List<List<ScoredChain>> localReferences = new ArrayList<>();
    final List<List<String>> globalCalls = new ArrayList<>();

    @Override
    public synchronized Scores scoreLocally(String question, List<ReasoningChain> chains,
                                            List<ScoredChain> references) {
        localCalls.add(chains.stream().map(ReasoningChain::text).toList());
        localReferences.add(references);
        return scores(chains, LOCAL);
    }

    @Override
    public synchronized Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
        globalCalls.add(representatives.stream().map(ReasoningChain::text).toList());
        return scores(representatives, GLOBAL);
    }

    private static Scores scores(List<ReasoningChain> chains, Pattern tag) {
        List<Double> scores = new ArrayList<>();
        int failures = 0;
        for (ReasoningChain chain : chains) {
            Matcher matcher = tag.matcher(chain.text());
            Matcher local = LOCAL.matcher(chain.text());
            double score = matcher.find() ? Double.parseDouble(matcher.group(1))
                    : local.find() ? Double.parseDouble(local.group(1)) : Double.NaN;
            failures += Double.isNaN(score) ? 1 : 0;
            scores.add(score);
        }
        return new Scores(scores, failures, new Usage(0, 1, 0, 100, 10, Duration.ZERO));
    }

    int calls() {
        return localCalls.size() + globalCalls.size();
    }

    @Override
    public String name() {
        return "tagged";
    }
}
