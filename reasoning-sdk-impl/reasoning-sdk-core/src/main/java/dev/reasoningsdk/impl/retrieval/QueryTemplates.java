package dev.reasoningsdk.impl.retrieval;

/** Prompt templates that carry the request as {@code {query}}. */
final class QueryTemplates {

    private QueryTemplates() {
    }

    /**
     * Checks a prompt template for the {@code {query}} placeholder.
     *
     * @throws IllegalArgumentException if it has none
     */
    static String requirePlaceholder(String promptTemplate) {
        if (!promptTemplate.contains("{query}")) {
            throw new IllegalArgumentException("promptTemplate lacks the {query} placeholder");
        }
        return promptTemplate;
    }
}
