package dev.reasoningsdk.impl.retrieval;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Prompt formats written as templates that carry the request as {@code {query}}, for the retrieval criteria's
 * {@code promptFormat} options: {@code promptFormat(QueryTemplates.format("Do you know: {query}"))}.
 */
public final class QueryTemplates {

    /** The placeholder a template puts the request in. */
    public static final String PLACEHOLDER = "{query}";

    private QueryTemplates() {
    }

    /**
     * The prompt format that puts the request where {@code {query}} stands in {@code template} (every occurrence).
     *
     * @throws IllegalArgumentException if the template has no {@code {query}} placeholder
     */
    public static UnaryOperator<String> format(String template) {
        Objects.requireNonNull(template, "template");
        if (!template.contains(PLACEHOLDER)) {
            throw new IllegalArgumentException("template lacks the {query} placeholder: '" + template + "'");
        }
        return query -> template.replace(PLACEHOLDER, query);
    }
}
