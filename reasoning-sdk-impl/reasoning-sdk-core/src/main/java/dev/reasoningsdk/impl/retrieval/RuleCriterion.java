package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A criterion from transparent rules: named regular expressions (case-insensitive) tried in order; the first that
 * matches gives the criterion {@link Builder#matchProbability(double) its probability} and names itself as the
 * evidence; when none matches the probability is 0. They suit the explicit phrasings of intent ("search", "look up",
 * "sources") and time ("latest", "today", a recent year); behind an {@link EncoderHeadCriterion} they are combined
 * with the head's probability by a {@link Combination}. A rule set with a low match probability and
 * {@link Combination#RULE_FIRST} says a criterion does not hold: {@link #selfContainedTask()} marks requests that
 * transform their own input as not knowledge-intensive.
 *
 * <p>Built-ins: {@link #intent()}, {@link #time()}, {@link #selfContainedTask()}. Default match probability 0.9.
 * Immutable and thread-safe.
 */
public final class RuleCriterion implements Criterion {

    private final CriterionKind kind;
    private final List<Rule> rules;
    private final double matchProbability;

    private RuleCriterion(Builder builder) {
        this.kind = builder.kind;
        this.rules = List.copyOf(builder.rules);
        this.matchProbability = builder.matchProbability;
    }

    /** A builder; a kind and at least one rule are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Explicit requests for retrieval, search, sources or live information: "search", "look up", "google", "browse",
     * "online", "sources", "cite", "link", "latest", "real-time", "up to date", "news", "trending", "right now".
     */
    public static RuleCriterion intent() {
        return builder().kind(CriterionKind.INTENT)
                .rule("search", "\\b(search|look(ing)? ?up|google|bing|browse|browsing)\\b")
                .rule("web", "\\b(online|on the (web|internet)|website|web ?site|web page)\\b")
                .rule("sources", "\\b(sources?|cite|citations?|references?|links?|urls?)\\b")
                .rule("live", "\\b(latest|newest|real[- ]time|live|up[- ]to[- ]date|trending|news|headlines?)\\b")
                .rule("now", "\\b(right now|today|tonight|currently|at the moment|this (week|month))\\b")
                .build();
    }

    /**
     * Answers that depend on when they are asked: "latest", "recent", "today", "current", "now", "this year",
     * "news", a year from 2020 on, "price", "weather", "score", "so far".
     */
    public static RuleCriterion time() {
        return builder().kind(CriterionKind.TIME)
                .rule("latest", "\\b(latest|newest|most recent|recent(ly)?|upcoming|next)\\b")
                .rule("now", "\\b(today|tonight|yesterday|tomorrow|now|nowadays|these days|currently|current|"
                        + "at the moment|as of|so far|yet|still)\\b")
                .rule("this-period", "\\bthis (week|month|year|season|quarter|weekend)\\b")
                .rule("news", "\\b(news|headlines?|breaking)\\b")
                .rule("recent-year", "\\b20[2-9][0-9]\\b")
                .rule("live-value", "\\b(price|stock|weather|forecast|exchange rate|score|standings|ranking)s?\\b")
                .build();
    }

    /**
     * Requests that only transform the input they give, and so need no world knowledge: they open with "rewrite",
     * "rephrase", "paraphrase", "translate", "summarize", "proofread", "shorten", "sort", "fix the bug", "refactor",
     * "format" or "convert", or ask for the passive voice. Kind {@link CriterionKind#KNOWLEDGE}, match probability
     * 0.05: use it with {@link Combination#RULE_FIRST}.
     */
    public static RuleCriterion selfContainedTask() {
        return builder().kind(CriterionKind.KNOWLEDGE).matchProbability(0.05)
                .rule("transform", "^\\W*(please\\s+)?(rewrite|rephrase|paraphrase|translate|summari[sz]e|proofread|"
                        + "shorten|sort|alphabeti[sz]e|refactor|reformat|format|convert)\\b")
                .rule("fix-code", "^\\W*(please\\s+)?(fix|debug) (the|this) (bug|code|function|program)")
                .rule("voice", "\\b(in|into) the (passive|active) voice\\b")
                .build();
    }

    @Override
    public CriterionKind kind() {
        return kind;
    }

    /** The probability a matching rule gives. */
    public double matchProbability() {
        return matchProbability;
    }

    /** The first rule that matches {@code query}, with the text it matched. */
    public Optional<Match> match(String query) {
        Objects.requireNonNull(query, "query");
        for (Rule rule : rules) {
            Matcher matcher = rule.pattern().matcher(query);
            if (matcher.find()) {
                return Optional.of(new Match(rule.name(), matcher.group()));
            }
        }
        return Optional.empty();
    }

    @Override
    public CriterionResult evaluate(String query) {
        long start = System.nanoTime();
        Optional<Match> match = match(query);
        Usage usage = Usage.ofWallTime(Duration.ofNanos(System.nanoTime() - start));
        return match.map(m -> new CriterionResult(kind, matchProbability, m.describe(), usage))
                .orElseGet(() -> new CriterionResult(kind, 0, "no rule matched", usage));
    }

    /**
     * A matched rule.
     *
     * @param rule    the rule's name
     * @param matched the text it matched
     */
    public record Match(String rule, String matched) {
        /** @throws NullPointerException if a field is null */
        public Match {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(matched, "matched");
        }

        /** {@code rule 'name' matched "text"}. */
        public String describe() {
            return "rule '" + rule + "' matched \"" + matched + "\"";
        }
    }

    private record Rule(String name, Pattern pattern) {
    }

    /** Builds a {@link RuleCriterion}. */
    public static final class Builder {
        private CriterionKind kind;
        private final List<Rule> rules = new ArrayList<>();
        private double matchProbability = 0.9;

        private Builder() {
        }

        /** The criterion the rules evaluate (required). */
        public Builder kind(CriterionKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /**
         * Adds a rule, tried after those added before it.
         *
         * @param name  a short name shown as evidence
         * @param regex a regular expression found anywhere in the request, case-insensitively
         * @throws IllegalArgumentException if the expression does not compile or the name is blank or taken
         */
        public Builder rule(String name, String regex) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(regex, "regex");
            if (name.isBlank()) {
                throw new IllegalArgumentException("rule name is blank");
            }
            if (rules.stream().anyMatch(rule -> rule.name().equals(name))) {
                throw new IllegalArgumentException("rule name '" + name + "' is used twice");
            }
            try {
                rules.add(new Rule(name, Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("rule '" + name + "': " + e.getDescription(), e);
            }
            return this;
        }

        /**
         * The probability a match gives, in (0, 1]. Default 0.9.
         *
         * @throws IllegalArgumentException if out of range
         */
        public Builder matchProbability(double matchProbability) {
            if (!(matchProbability > 0 && matchProbability <= 1)) {
                throw new IllegalArgumentException("matchProbability must be in (0, 1], was " + matchProbability);
            }
            this.matchProbability = matchProbability;
            return this;
        }

        /**
         * The criterion.
         *
         * @throws IllegalStateException if no kind or no rule was given
         */
        public RuleCriterion build() {
            if (kind == null) {
                throw new IllegalStateException("kind is required");
            }
            if (rules.isEmpty()) {
                throw new IllegalStateException("at least one rule is required");
            }
            return new RuleCriterion(this);
        }
    }
}
