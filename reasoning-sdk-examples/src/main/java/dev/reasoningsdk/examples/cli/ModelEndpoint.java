package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.examples.cli.ModelOptions.Provider;
import java.time.Duration;
import java.util.Locale;

/**
 * A checked model choice from {@link ModelOptions}: the provider, and for a remote one its base URL, model, API key
 * (never printed), total call budget ({@code maxCalls}, 0 for none), per-call timeout and, for openai, the
 * alternatives asked for at each token ({@code topLogprobs}).
 */
record ModelEndpoint(Provider provider, String baseUrl, String model, String apiKey, int maxCalls,
                     Duration callTimeout, int topLogprobs) {

    /** The embedded tiny reasoner. */
    static ModelEndpoint local() {
        return new ModelEndpoint(Provider.LOCAL, null, null, null, 0, null, 0);
    }

    /** Whether the model is served over HTTP (openai or ollama). */
    boolean isRemote() {
        return provider != Provider.LOCAL;
    }

    /** The provider's CLI name: local, openai or ollama. */
    String providerName() {
        return provider.name().toLowerCase(Locale.ROOT);
    }

    /** The provider, base URL, model, budget and timeout as bench figures (no API key). */
    BenchReport describe() {
        BenchReport report = new BenchReport().put("provider", providerName());
        if (isRemote()) {
            report.put("base_url", baseUrl).put("model", model)
                    .put("max_calls", maxCalls == 0 ? "none" : maxCalls)
                    .put("call_timeout_seconds", callTimeout.toMillis() / 1000.0);
            if (provider == Provider.OPENAI) {
                report.put("top_logprobs", topLogprobs);
            }
        }
        return report;
    }

    /** Everything but the API key. */
    @Override
    public String toString() {
        return "ModelEndpoint[" + providerName() + (isRemote() ? " " + model + " at " + baseUrl : "") + "]";
    }
}
