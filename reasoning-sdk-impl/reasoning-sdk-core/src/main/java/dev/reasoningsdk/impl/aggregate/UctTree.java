package dev.reasoningsdk.impl.aggregate;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The tree policy and statistics of {@link StepSearch}'s Monte-Carlo tree search, apart from what generates the
 * nodes: each node's visits and mean value, selection by UCT (Kocsis and Szepesvári, 2006, "Bandit based
 * Monte-Carlo Planning": a child's mean value plus {@code c * sqrt(ln N / n)}, {@code N} the parent's visits and
 * {@code n} the child's), one new child per visit until a node has {@code maxChildren} or is told to stop growing
 * (the caller's tries at a child ran out before it had them all), and backup of a rollout's value to every node of
 * its path. A node is closed when it can grow no more (a finished chain, a dead end) or when it has all its children
 * and each is closed; selection never enters a closed node. Nodes are kept by identity. Not thread-safe.
 *
 * @param <N> the node type (the search's partial chains)
 */
final class UctTree<N> {

    /** One node's statistics. */
    private final class Stats {
        final N node;
        final Stats parent;
        final List<Stats> children = new ArrayList<>();
        int visits;
        double valueSum;
        boolean closed;
        /** Takes no more children, however few it has ({@link #stopGrowing}). */
        boolean grown;

        Stats(N node, Stats parent) {
            this.node = node;
            this.parent = parent;
        }

        double uct(int parentVisits) {
            // Every child is visited by the rollout that made it; an unvisited one is tried first all the same.
            return visits == 0 ? Double.POSITIVE_INFINITY
                    : valueSum / visits + exploration * Math.sqrt(Math.log(parentVisits) / visits);
        }

        boolean full() {
            return grown || children.size() >= maxChildren;
        }
    }

    private final Map<N, Stats> stats = new IdentityHashMap<>();
    private final Stats root;
    private final double exploration;
    private final int maxChildren;

    /**
     * A tree of {@code root} alone.
     *
     * @param exploration the UCT exploration constant {@code c}
     * @param maxChildren the most children a node takes, one per visit
     */
    UctTree(N root, double exploration, int maxChildren) {
        this.root = new Stats(Objects.requireNonNull(root, "root"), null);
        this.stats.put(root, this.root);
        this.exploration = exploration;
        this.maxChildren = maxChildren;
    }

    /**
     * The path from the root to the node that takes the next child: from the root down, while a node has all its
     * children, the open child of highest UCT value (the first made on a tie); empty when the root is closed.
     */
    Optional<List<N>> select() {
        if (root.closed) {
            return Optional.empty();
        }
        List<N> path = new ArrayList<>();
        Stats at = root;
        path.add(at.node);
        while (at.full()) {
            Stats best = null;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (Stats child : at.children) {
                double value = child.uct(at.visits);
                if (!child.closed && (best == null || value > bestValue)) {
                    best = child;
                    bestValue = value;
                }
            }
            // An open node with all its children has an open one: a node whose last child closed was closed too.
            at = Objects.requireNonNull(best, "open node without an open child");
            path.add(at.node);
        }
        return Optional.of(path);
    }

    /** Adds {@code child} under {@code parent}, unvisited. */
    void add(N parent, N child) {
        Stats under = stats(parent);
        Stats made = new Stats(child, under);
        under.children.add(made);
        stats.put(child, made);
    }

    /**
     * Gives {@code node} no more children, though it has fewer than {@code maxChildren}: selection descends into the
     * children it has, and it closes (with each ancestor that then has all its children closed) when none is open,
     * none at all included.
     */
    void stopGrowing(N node) {
        Stats at = stats(node);
        at.grown = true;
        if (at.children.stream().allMatch(child -> child.closed)) {
            close(node);
        }
    }

    /** Closes {@code node}, and each ancestor that then has all its children closed. */
    void close(N node) {
        Stats at = stats(node);
        while (at != null && !at.closed) {
            at.closed = true;
            at = at.parent;
            if (at != null && !(at.full() && at.children.stream().allMatch(child -> child.closed))) {
                break;
            }
        }
    }

    /** Adds one visit of {@code value} to each node of {@code path}. */
    void backup(List<N> path, double value) {
        for (N node : path) {
            Stats at = stats(node);
            at.visits++;
            at.valueSum += value;
        }
    }

    /** How many rollouts went through {@code node}. */
    int visits(N node) {
        return stats(node).visits;
    }

    /** The mean value of the rollouts through {@code node}; NaN before the first. */
    double meanValue(N node) {
        Stats at = stats(node);
        return at.visits == 0 ? Double.NaN : at.valueSum / at.visits;
    }

    private Stats stats(N node) {
        return Objects.requireNonNull(stats.get(node), "node not in the tree");
    }
}
