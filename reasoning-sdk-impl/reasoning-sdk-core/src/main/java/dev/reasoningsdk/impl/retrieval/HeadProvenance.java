package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.impl.internal.Arguments;
import java.util.Objects;

/**
 * Where a trained head came from: the data it was trained on, how the held-out split was drawn, the regularisation
 * chosen, and what the head scored on the held-out rows it never saw.
 *
 * @param data            the data file, as a path relative to the data directory where possible
 * @param dataSha256      SHA-256 of the data file's bytes, so the same split can be drawn again
 * @param textField       the JSONL field holding the text (or prompt) the features were computed from
 * @param labelField      the JSONL field holding the boolean label
 * @param rows            labelled rows read
 * @param trainRows       rows trained on
 * @param heldOutRows     rows held out and never trained on
 * @param seed            the seed of the shuffle that drew the held-out rows
 * @param heldOutFraction the fraction of rows held out
 * @param l2              the L2 penalty chosen on a validation slice of the training rows
 * @param heldOut         the head's figures on the held-out rows
 */
public record HeadProvenance(String data, String dataSha256, String textField, String labelField, int rows,
                             int trainRows, int heldOutRows, long seed, double heldOutFraction, double l2,
                             BinaryMetrics heldOut) {

    /** @throws IllegalArgumentException if the row counts do not add up */
    public HeadProvenance {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dataSha256, "dataSha256");
        Objects.requireNonNull(textField, "textField");
        Objects.requireNonNull(labelField, "labelField");
        Objects.requireNonNull(heldOut, "heldOut");
        if (trainRows < 0 || heldOutRows < 0 || trainRows + heldOutRows != rows) {
            throw new IllegalArgumentException("train (" + trainRows + ") + held-out (" + heldOutRows
                    + ") rows must equal rows (" + rows + ")");
        }
        Arguments.openUnit(heldOutFraction, "heldOutFraction");
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("l2 must be finite and >= 0, was " + l2);
        }
    }
}
