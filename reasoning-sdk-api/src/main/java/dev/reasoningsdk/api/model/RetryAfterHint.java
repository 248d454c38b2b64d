package dev.reasoningsdk.api.model;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed model call that carries the server's Retry-After: how long the server asked the client to wait before
 * calling again (typically with HTTP 429 or 503). The SDK's retry path honours it, capped by its own maximum delay.
 *
 * <p>An exception a model throws implements this interface when its provider reports the header; LangChain4j's own
 * exceptions carry no response headers, so an adapter or a test double has to add it.
 */
public interface RetryAfterHint {

    /** How long the server asked to wait before the next call; empty when it did not say. Never negative. */
    Optional<Duration> retryAfter();
}
