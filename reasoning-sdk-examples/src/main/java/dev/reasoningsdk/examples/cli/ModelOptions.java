package dev.reasoningsdk.examples.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import dev.reasoningsdk.impl.internal.Arguments;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Which model a command runs, for every live bench, {@code solve}, {@code judge}, {@code demo} and the paraphrase
 * model of {@code bench prompt --paraphrase-model}: {@code --provider local|openai|ollama} (default {@code local},
 * the embedded tiny reasoner, or with {@code --model DIR} a Hugging Face ONNX export folder run in process),
 * {@code --base-url}, {@code --model}, {@code --max-calls} (the run's total budget of remote calls),
 * {@code --call-timeout}, and {@code --execution-provider} for the ONNX models the command still runs locally. The
 * OpenAI API key is read from the environment variable {@value #API_KEY_VARIABLE}.
 *
 * <p>{@code --provider auto|cpu|cuda}, the option's meaning before the CLI could run remote models, is still
 * accepted, silently: it means {@code local} with that execution provider (documented in the README and CHANGELOG).
 *
 * <p>Options are kept as given and checked by {@link #endpoint()}, so a bad value or combination exits 2 with one
 * line rather than picocli's usage text.
 */
final class ModelOptions {

    /** Where the model runs. */
    enum Provider {
        /** The embedded tiny reasoner, in process. */
        LOCAL,
        /** Any OpenAI-compatible chat completions server (OpenAI, vLLM, llama.cpp, LM Studio, Ollama's /v1). */
        OPENAI,
        /** Ollama's own API. */
        OLLAMA
    }

    /** The environment variable the OpenAI API key is read from. */
    static final String API_KEY_VARIABLE = "OPENAI_API_KEY";
    static final String OPENAI_DEFAULT_URL = "https://api.openai.com/v1";
    static final String OLLAMA_DEFAULT_URL = "http://localhost:11434";
    static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
    static final int DEFAULT_TOP_LOGPROBS = 20;
    /** The most top log-probabilities an export folder's calls may ask for: what {@code serve --model DIR} allows. */
    static final int FOLDER_MAX_TOP_LOGPROBS = 20;

    @Option(names = "--provider", paramLabel = "local|openai|ollama",
            description = "Which model answers: local (the embedded tiny reasoner, or --model DIR; default), "
                    + "openai (any OpenAI-compatible server; API key from $" + API_KEY_VARIABLE + ") or ollama. "
                    + "Deprecated: auto, cpu or cuda mean local with that --execution-provider.")
    String provider;

    @Option(names = "--execution-provider", paramLabel = "auto|cpu|cuda",
            description = "Where the ONNX models run (default: "
                    + "${sys:reasoning.onnx.provider:-${env:REASONING_ONNX_PROVIDER:-auto}}).")
    String executionProvider;

    @Option(names = "--base-url", paramLabel = "URL", description = "The server of --provider openai (default "
            + OPENAI_DEFAULT_URL + ", e.g. http://localhost:8000/v1) or ollama (default " + OLLAMA_DEFAULT_URL
            + ").")
    String baseUrl;

    @Option(names = "--model", paramLabel = "NAME|DIR", description = "The model of --provider openai or ollama "
            + "(required with them); with --provider local (the default), a Hugging Face ONNX export folder (decoder "
            + "with past) run in process as reasoning serve --model DIR serves it, named by the folder's name "
            + "(default: the embedded tiny reasoner).")
    String model;

    @Option(names = "--max-calls", paramLabel = "N", description = "Most model calls (remote, or to --model DIR) "
            + "in the whole run, "
            + "retries included (default: no limit); calls beyond it are refused before they are sent.")
    Integer maxCalls;

    @Option(names = "--top-logprobs", paramLabel = "N", description = "Most likely tokens asked for at each "
            + "position from --provider openai (default " + DEFAULT_TOP_LOGPROBS + ", OpenAI's limit). P(sure) reads "
            + "\"sure\" and \"unsure\" among them: a model that finds both unlikely needs more, where its server "
            + "allows it (reasoning serve of the tiny reasoner: its whole vocabulary, 99).")
    Integer topLogprobs;

    @Option(names = "--call-timeout", paramLabel = "SECONDS", description = "Timeout of one remote call, HTTP "
            + "included (default 60).")
    Double callTimeoutSeconds;

    /** The model these options name, checked; also sets the process-wide ONNX execution provider when given. */
    ModelEndpoint endpoint() {
        Provider chosen = Provider.LOCAL;
        String legacyExecutionProvider = null;
        if (provider != null) {
            String value = provider.trim().toLowerCase(Locale.ROOT);
            switch (value) {
                case "local" -> chosen = Provider.LOCAL;
                case "openai" -> chosen = Provider.OPENAI;
                case "ollama" -> chosen = Provider.OLLAMA;
                case "auto", "cpu", "cuda" -> legacyExecutionProvider = value;
                default -> throw new IllegalArgumentException("--provider must be local, openai or ollama, was '"
                        + provider + "'");
            }
        }
        if (legacyExecutionProvider != null && executionProvider != null
                && !legacyExecutionProvider.equalsIgnoreCase(executionProvider.trim())) {
            throw new IllegalArgumentException("--provider " + provider + " (the old name of --execution-provider) "
                    + "contradicts --execution-provider " + executionProvider);
        }
        if (executionProvider != null) {
            ExecutionProviderOption.apply(executionProvider, "--execution-provider");
        } else if (legacyExecutionProvider != null) {
            ExecutionProviderOption.apply(legacyExecutionProvider, "--provider");
        }
        if (chosen == Provider.LOCAL && (model == null || baseUrl != null)) {
            String remoteOnly = baseUrl != null ? "--base-url" : maxCalls != null ? "--max-calls"
                    : callTimeoutSeconds != null ? "--call-timeout" : topLogprobs != null ? "--top-logprobs" : null;
            if (remoteOnly != null) {
                throw new IllegalArgumentException(remoteOnly + " is for --provider openai or ollama"
                        + (baseUrl != null ? "" : " or --model DIR") + "; the local model is the embedded tiny "
                        + "reasoner" + (baseUrl != null ? " or --model DIR, a Hugging Face ONNX export folder" : ""));
            }
            return ModelEndpoint.local();
        }
        String name = chosen.name().toLowerCase(Locale.ROOT);
        if (model == null || model.isBlank()) {
            if (chosen == Provider.LOCAL) {
                throw new IllegalArgumentException("--model is blank: give a Hugging Face ONNX export folder");
            }
            throw new IllegalArgumentException("--provider " + name + " needs --model NAME");
        }
        if (topLogprobs != null && (topLogprobs < 0 || chosen == Provider.OLLAMA)) {
            throw new IllegalArgumentException(chosen == Provider.OLLAMA ? "--top-logprobs is for --provider openai"
                    + " or --model DIR" : "--top-logprobs must be >= 0, was " + topLogprobs);
        }
        if (chosen == Provider.LOCAL && topLogprobs != null && topLogprobs > FOLDER_MAX_TOP_LOGPROBS) {
            // The folder is served in process as reasoning serve --model DIR serves it, which keeps OpenAI's limit.
            throw new IllegalArgumentException("--top-logprobs with --model DIR must be at most "
                    + FOLDER_MAX_TOP_LOGPROBS + " (OpenAI's limit, which reasoning serve --model DIR keeps), was "
                    + topLogprobs);
        }
        if (maxCalls != null && maxCalls < 1) {
            throw new IllegalArgumentException("--max-calls must be >= 1, was " + maxCalls);
        }
        Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        if (callTimeoutSeconds != null) {
            if (!(callTimeoutSeconds > 0) || callTimeoutSeconds > 86_400) {
                throw new IllegalArgumentException("--call-timeout must be in (0, 86400] seconds, was "
                        + callTimeoutSeconds);
            }
            callTimeout = Duration.ofNanos(Math.round(callTimeoutSeconds * 1e9));
        }
        if (chosen == Provider.LOCAL) {
            return ModelEndpoint.folder(Path.of(model), maxCalls == null ? 0 : maxCalls, callTimeout,
                    topLogprobs == null ? DEFAULT_TOP_LOGPROBS : topLogprobs);
        }
        String url = baseUrl != null ? checkedUrl(baseUrl)
                : chosen == Provider.OPENAI ? OPENAI_DEFAULT_URL : OLLAMA_DEFAULT_URL;
        String apiKey = null;
        if (chosen == Provider.OPENAI) {
            apiKey = System.getenv(API_KEY_VARIABLE);
            if (apiKey == null || apiKey.isBlank()) {
                if (baseUrl == null) {
                    throw new IllegalArgumentException("--provider openai at " + OPENAI_DEFAULT_URL + " needs an API "
                            + "key in $" + API_KEY_VARIABLE + " (or give --base-url of a server that needs none)");
                }
                // Local OpenAI-compatible servers ignore the key, but the client sends one.
                apiKey = "none";
            }
        }
        return new ModelEndpoint(chosen, url, model, apiKey, maxCalls == null ? 0 : maxCalls, callTimeout,
                topLogprobs == null ? DEFAULT_TOP_LOGPROBS : topLogprobs);
    }

    /**
     * Refuses a served model ({@code --provider openai|ollama} or {@code --model DIR}) for a bench run without
     * {@code --live}: only the live half reads it.
     *
     * @throws IllegalArgumentException if {@code endpoint} is served and {@code live} is false
     */
    static void requireLive(ModelEndpoint endpoint, boolean live) {
        if (endpoint.isServed() && !live) {
            throw new IllegalArgumentException((endpoint.isRemote() ? "--provider " + endpoint.providerName()
                    : "--model DIR") + " is for the live bench: add --live");
        }
    }

    /**
     * Refuses, for a bench run without {@code --live}, the first of {@code liveOptions} the caller gave: only the live
     * half reads them, so an offline run would ignore them without a word.
     *
     * @param spec        the command whose parse result is checked
     * @param liveOptions the names of the options only the live half reads
     * @throws IllegalArgumentException naming the option, if one was given and {@code live} is false
     */
    static void requireLiveFor(CommandSpec spec, boolean live, List<String> liveOptions) {
        if (!live) {
            firstGiven(spec, liveOptions).ifPresent(option -> {
                throw new IllegalArgumentException(option + " is for the live bench: add --live");
            });
        }
    }

    /**
     * The first of {@code options} the caller gave on the command line of {@code spec}, so a command can refuse an
     * option its current mode would ignore without a word.
     */
    static Optional<String> firstGiven(CommandSpec spec, Collection<String> options) {
        return options.stream().filter(spec.commandLine().getParseResult()::hasMatchedOption).findFirst();
    }

    /**
     * Refuses a {@code value} of {@code option} that is not one of {@code allowed}, listing them.
     *
     * @throws IllegalArgumentException naming the option, the allowed values and the value given
     */
    static void requireOneOf(String value, List<String> allowed, String option) {
        if (!allowed.contains(value)) {
            throw new IllegalArgumentException(option + " must be one of " + String.join(", ", allowed) + ", was '"
                    + value + "'");
        }
    }

    /**
     * Refuses the first option the caller gave that another method reads and {@code method} does not: it would be
     * ignored without a word.
     *
     * @param optionsByMethod each method's own options, by its {@code --method} name
     * @throws IllegalArgumentException "OPTION does not apply to --method METHOD"
     */
    static void refuseOtherMethodsOptions(CommandSpec spec, String method, Map<String, List<String>> optionsByMethod) {
        List<String> others = new ArrayList<>();
        optionsByMethod.values().forEach(others::addAll);
        others.removeAll(optionsByMethod.get(method));
        firstGiven(spec, others).ifPresent(option -> {
            throw new IllegalArgumentException(option + " does not apply to --method " + method);
        });
    }

    /**
     * Checks the sampling options of a command that draws samples: {@code --temperature} at least 0 and finite,
     * {@code --max-tokens} (null when not given) at least 1.
     *
     * @throws IllegalArgumentException naming the option and its value
     */
    static void requireSampling(double temperature, Integer maxTokens) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be >= 0, was " + temperature);
        }
        if (maxTokens != null) {
            Arguments.atLeast(maxTokens, 1, "--max-tokens");
        }
    }

    /**
     * Refuses {@code --model DIR} for a command that cannot run an export folder, saying why in one line.
     *
     * @throws IllegalArgumentException if {@code endpoint} is an export folder
     */
    static void refuseFolder(ModelEndpoint endpoint, String command, String why) {
        if (endpoint.isFolder()) {
            throw new IllegalArgumentException(command + " does not take --model DIR (" + endpoint.folder() + "): "
                    + why);
        }
    }

    private static String checkedUrl(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("--base-url must be an absolute http(s) URL, was '" + url + "'");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                // The clients append their paths to the whole string: "/v1?key=x" + "/chat/completions" would POST
                // to /v1 on every call.
                throw new IllegalArgumentException("--base-url must have no query or fragment (the provider's paths "
                        + "are appended to it), was '" + url + "'");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--base-url is not a URL: '" + url + "'", e);
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
