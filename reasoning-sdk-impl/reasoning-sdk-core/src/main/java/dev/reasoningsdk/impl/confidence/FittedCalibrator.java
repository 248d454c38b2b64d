package dev.reasoningsdk.impl.confidence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.confidence.Calibrator;
import java.util.Objects;

/**
 * A {@link Calibrator} fitted on labelled data that can be written to JSON and read back, so an application fits
 * once (offline, on its own labelled questions) and ships the fitted calibrator. The JSON carries a {@code type}
 * ({@code "platt"}, {@code "isotonic"}, {@code "temperature"}) and the fitted parameters.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = PlattCalibrator.class, name = "platt"),
        @JsonSubTypes.Type(value = IsotonicCalibrator.class, name = "isotonic"),
        @JsonSubTypes.Type(value = TemperatureScaling.class, name = "temperature")
})
public sealed interface FittedCalibrator extends Calibrator
        permits PlattCalibrator, IsotonicCalibrator, TemperatureScaling {

    /** This calibrator as JSON. */
    default String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("calibrator is not serialisable: " + this, e);
        }
    }

    /**
     * Reads a calibrator written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException if the JSON is malformed, names an unknown type, or leaves out or holds
     *                                  invalid parameters
     */
    static FittedCalibrator fromJson(String json) {
        Objects.requireNonNull(json, "json");
        try {
            return Json.MAPPER.readValue(json, FittedCalibrator.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a fitted calibrator: " + e.getOriginalMessage(), e);
        }
    }

    /** Holds the shared mapper out of the public interface. */
    final class Json {
        static final ObjectMapper MAPPER = StrictJson.MAPPER;

        private Json() {
        }
    }
}
