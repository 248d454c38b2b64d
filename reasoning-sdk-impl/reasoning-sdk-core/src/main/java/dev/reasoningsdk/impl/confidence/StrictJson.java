package dev.reasoningsdk.impl.confidence;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The mapper that reads fitted parameters (calibrators, combiner weights) back: a parameter left out, or null, is
 * refused, where a default mapper reads it as 0 ({@code {"type":"platt"}} was a calibrator that maps every score to
 * 0.5, and combiner weights without their intercept were a shifted model). Not API.
 */
final class StrictJson {

    /** Thread-safe once configured. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private StrictJson() {
    }
}
