package dev.reasoningsdk.impl.prompt;

/** Plum's edit operations on a prompt's units. */
public enum EditOperation {
    /** Remove one unit; the unit is remembered for {@link #ADD}. */
    DEL,
    /** Exchange two units (possibly on different lines). */
    SWAP,
    /** Replace one unit with a paraphrase from the configured {@link Paraphraser}. */
    SUB,
    /** Re-insert a unit deleted earlier in the candidate's lineage, at a random position. */
    ADD
}
