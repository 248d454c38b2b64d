package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.AnswerGrouping;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sampled chains grouped by their extracted answer, using the extractor's equivalence (numbers with a tolerance,
 * free text normalised, or semantic similarity). A chain joins the first group whose representative answer is
 * equivalent to its own, exactly as the aggregators group them. Groups are ordered by size, largest first, ties by
 * first appearance, so the first group is the majority answer as a self-consistency vote picks it.
 *
 * @param chains   the chains, in input order
 * @param groups   answer groups, largest first
 * @param unparsed indices of chains from which no answer could be extracted
 */
public record AnswerGroups(List<ReasoningChain> chains, List<Group> groups, List<Integer> unparsed) {

    /** @throws IllegalArgumentException if there are no chains */
    public AnswerGroups {
        chains = List.copyOf(chains);
        groups = List.copyOf(groups);
        unparsed = List.copyOf(unparsed);
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("no chains to group: at least one sample is needed");
        }
    }

    /**
     * Groups {@code chains} by the answers {@code extractor} finds in them.
     *
     * @throws IllegalArgumentException if {@code chains} is empty
     */
    public static AnswerGroups of(List<ReasoningChain> chains, AnswerExtractor extractor) {
        Objects.requireNonNull(chains, "chains");
        Objects.requireNonNull(extractor, "extractor");
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("no chains to group: at least one sample is needed");
        }
        AnswerGrouping grouping = new AnswerGrouping(extractor);
        grouping.addAll(chains);
        List<Group> groups = new ArrayList<>();
        for (AnswerGrouping.Group group : grouping.groups()) {
            groups.add(new Group(group.answer(), group.members().stream().map(AnswerGrouping.Member::index)
                    .toList()));
        }
        // List.sort is stable, so equal sizes keep first-appearance order.
        groups.sort(Comparator.comparingInt((Group group) -> group.members().size()).reversed());
        return new AnswerGroups(chains, groups, grouping.unparsed());
    }

    /** The majority answer's group, or empty when no chain has an answer. */
    public Optional<Group> majority() {
        return groups.isEmpty() ? Optional.empty() : Optional.of(groups.get(0));
    }

    /** How many chains were grouped, unparsed ones included. */
    public int total() {
        return chains.size();
    }

    /** Votes for the majority answer over all chains (unparsed ones count against it); 0 without an answer. */
    public double agreement() {
        return majority().map(group -> (double) group.members().size() / total()).orElse(0.0);
    }

    /**
     * Shannon entropy (natural log) of the answer distribution over all chains, each unparsed chain counted as an
     * answer of its own (a chain without an answer is as much disagreement as a distinct answer).
     */
    public double entropy() {
        double entropy = 0;
        for (Group group : groups) {
            double p = (double) group.members().size() / total();
            entropy -= p * Math.log(p);
        }
        double single = 1.0 / total();
        entropy -= unparsed.size() * single * Math.log(single);
        return entropy;
    }

    /** Active-Prompt's disagreement: distinct answers over all chains (Diao et al., 2023). */
    public double disagreement() {
        return (double) groups.size() / total();
    }

    /**
     * Active-Prompt's variance for numeric answers: the population variance of the parsed answers, or empty when
     * an answer is not a number or fewer than one is parsed.
     */
    public Optional<Double> numericVariance() {
        List<Double> values = new ArrayList<>();
        for (Group group : groups) {
            double value;
            try {
                value = Double.parseDouble(group.answer());
            } catch (NumberFormatException notNumeric) {
                return Optional.empty();
            }
            for (int ignored : group.members()) {
                values.add(value);
            }
        }
        if (values.isEmpty()) {
            return Optional.empty();
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return Optional.of(values.stream().mapToDouble(v -> (v - mean) * (v - mean)).average().orElse(0));
    }

    /**
     * One answer and the chains that reach it.
     *
     * @param answer  the normalised answer of the group's first chain
     * @param members indices of the chains in this group, ascending
     */
    public record Group(String answer, List<Integer> members) {
        /** @throws IllegalArgumentException if the group is empty */
        public Group {
            Objects.requireNonNull(answer, "answer");
            members = List.copyOf(members);
            if (members.isEmpty()) {
                throw new IllegalArgumentException("an answer group needs at least one chain");
            }
        }
    }
}
