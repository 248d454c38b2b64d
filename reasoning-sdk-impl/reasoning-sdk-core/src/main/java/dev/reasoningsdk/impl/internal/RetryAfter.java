package dev.reasoningsdk.impl.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an HTTP {@code Retry-After} header value (RFC 9110, section 10.2.3) as a wait from now: either
 * delta-seconds ({@code 120}) or an HTTP-date in any of the three forms recipients must accept: IMF-fixdate
 * ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and
 * asctime ({@code Sun Nov  6 08:49:37 1994}).
 */
public final class RetryAfter {

    /** Delta-seconds: one or more digits and nothing else (no sign, no fraction), as RFC 9110 defines them. */
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d+");

    /** RFC 850's two-digit years are read as 1970 to 2069, which covers any date a server can mean today. */
    private static final int RFC_850_BASE_YEAR = 1970;

    /** The three forms, with English names whatever the default locale (HTTP dates are always English). */
    private static final List<DateTimeFormatter> HTTP_DATES = List.of(
            DateTimeFormatter.RFC_1123_DATE_TIME,
            new DateTimeFormatterBuilder().parseCaseInsensitive()
                    .appendPattern("EEEE, dd-MMM-")
                    .appendValueReduced(ChronoField.YEAR, 2, 2, RFC_850_BASE_YEAR)
                    .appendPattern(" HH:mm:ss 'GMT'")
                    .toFormatter(Locale.ENGLISH).withZone(ZoneOffset.UTC),
            new DateTimeFormatterBuilder().parseCaseInsensitive()
                    .appendPattern("EEE MMM ppd HH:mm:ss yyyy")
                    .toFormatter(Locale.ENGLISH).withZone(ZoneOffset.UTC));

    private RetryAfter() {
    }

    /**
     * The wait a {@code Retry-After} value asks for, measured from {@code now}: delta-seconds as they are (values
     * too large for a {@link Duration} saturate), an HTTP-date as the time from {@code now} to it, or zero when the
     * date has passed.
     *
     * @param value the header value, surrounding white space allowed
     * @param now   the time the response arrived
     * @return the wait, or empty when {@code value} is neither delta-seconds nor an HTTP-date
     * @throws NullPointerException if an argument is null
     */
    public static Optional<Duration> parse(String value, Instant now) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(now, "now");
        String trimmed = value.trim();
        if (DELTA_SECONDS.matcher(trimmed).matches()) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
            } catch (NumberFormatException tooManyDigits) {
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE));
            }
        }
        for (DateTimeFormatter format : HTTP_DATES) {
            try {
                Instant at = ZonedDateTime.parse(trimmed, format).toInstant();
                return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
            } catch (DateTimeException notThisForm) {
                // Try the next of the three forms.
            }
        }
        return Optional.empty();
    }
}
