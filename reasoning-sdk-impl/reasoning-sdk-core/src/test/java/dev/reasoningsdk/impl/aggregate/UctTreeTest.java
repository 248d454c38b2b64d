package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tree policy of {@link StepSearch}'s MCTS: one child per visit, selection by UCT, backup, closing. */
class UctTreeTest {

    @Test
    void aNodeTakesOneChildPerVisitUntilItHasItsMaximum() {
        UctTree<String> tree = new UctTree<>("root", 1, 2);
        assertThat(tree.select()).contains(List.of("root"));
        tree.add("root", "a");
        tree.backup(List.of("root", "a"), 1);
        // One child of two: the next visit widens the root again rather than descend.
        assertThat(tree.select()).contains(List.of("root"));
        tree.add("root", "b");
        tree.backup(List.of("root", "b"), 0);
        // Full: it descends to the child of higher UCT value, which takes the next child.
        assertThat(tree.select()).contains(List.of("root", "a"));
        assertThat(tree.visits("root")).isEqualTo(2);
        assertThat(tree.meanValue("root")).isEqualTo(0.5);
        assertThat(tree.meanValue("a")).isEqualTo(1.0);
    }

    @Test
    void uctTriesTheLessVisitedChildOnceItsBonusOutweighsTheValueGap() {
        // a: 0.6 over n visits; b: 0.4 over 1 visit. With c = 1, b wins once sqrt(ln(n + 1)) * (1 - 1 / sqrt(n))
        // exceeds 0.2, which first happens at n = 2; with c = 0.1 it takes many more visits.
        for (double c : new double[] {1, 0.1}) {
            UctTree<String> tree = new UctTree<>("root", c, 2);
            tree.add("root", "a");
            tree.add("root", "b");
            tree.backup(List.of("root", "b"), 0.4);
            int visitsOfA = 0;
            while (tree.select().orElseThrow().get(1).equals("a")) {
                tree.backup(List.of("root", "a"), 0.6);
                visitsOfA++;
            }
            assertThat(visitsOfA).as("c = " + c).isPositive();
            if (c == 1) {
                assertThat(visitsOfA).isEqualTo(2);
            } else {
                assertThat(visitsOfA).isGreaterThan(100);
            }
        }
    }

    @Test
    void closedNodesAreNeverSelectedAndAFullNodeOfClosedChildrenCloses() {
        UctTree<String> tree = new UctTree<>("root", 1, 2);
        tree.add("root", "a");
        tree.add("root", "b");
        tree.backup(List.of("root", "a"), 1);
        tree.backup(List.of("root", "b"), 0);
        tree.close("a");
        // The better child is closed (a finished chain): selection goes to the other one.
        assertThat(tree.select()).contains(List.of("root", "b"));
        tree.add("b", "b1");
        tree.close("b1");
        // b has one closed child of two: still open, it takes another.
        assertThat(tree.select()).contains(List.of("root", "b"));
        tree.add("b", "b2");
        tree.close("b2");
        // b is full of closed children, so it closes, and the root with it: nothing can grow.
        assertThat(tree.select()).isEmpty();
    }

    @Test
    void aNodeThatStopsGrowingIsDescendedIntoAndClosesWithoutAnOpenChild() {
        UctTree<String> tree = new UctTree<>("root", 1, 3);
        tree.add("root", "a");
        tree.backup(List.of("root", "a"), 1);
        // Its tries ran out with one child of three: selection no longer stops at it, but goes on to that child.
        tree.stopGrowing("root");
        assertThat(tree.select()).contains(List.of("root", "a"));
        // A childless node that stops growing closes at once, and the root, whose only child it was, with it.
        tree.stopGrowing("a");
        assertThat(tree.select()).isEmpty();
    }
}
