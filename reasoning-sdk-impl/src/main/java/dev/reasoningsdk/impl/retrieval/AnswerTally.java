package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.impl.llm.AnswerExtractor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sampled answers grouped by {@link AnswerExtractor#equivalent}: the most common one (ties to the first seen) and how
 * many agree with it. Missing answers (unparseable samples) do not vote.
 *
 * @param majority the most common answer, empty when none parsed
 * @param votes    how many answers agree with it
 * @param distinct how many different answers there were
 */
record AnswerTally(Optional<String> majority, int votes, int distinct) {

    static AnswerTally of(List<Optional<String>> answers, AnswerExtractor extractor) {
        List<String> representatives = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Optional<String> answer : answers) {
            if (answer.isEmpty()) {
                continue;
            }
            int group = -1;
            for (int g = 0; g < representatives.size() && group < 0; g++) {
                if (extractor.equivalent(representatives.get(g), answer.get())) {
                    group = g;
                }
            }
            if (group < 0) {
                representatives.add(answer.get());
                counts.add(1);
            } else {
                counts.set(group, counts.get(group) + 1);
            }
        }
        int best = -1;
        for (int g = 0; g < counts.size(); g++) {
            if (best < 0 || counts.get(g) > counts.get(best)) {
                best = g;
            }
        }
        return best < 0 ? new AnswerTally(Optional.empty(), 0, 0)
                : new AnswerTally(Optional.of(representatives.get(best)), counts.get(best), representatives.size());
    }

    /**
     * Checks a prompt template for the {@code {query}} placeholder.
     *
     * @throws IllegalArgumentException if it has none
     */
    static String requireQueryPlaceholder(String promptTemplate) {
        if (!promptTemplate.contains("{query}")) {
            throw new IllegalArgumentException("promptTemplate lacks the {query} placeholder");
        }
        return promptTemplate;
    }
}
