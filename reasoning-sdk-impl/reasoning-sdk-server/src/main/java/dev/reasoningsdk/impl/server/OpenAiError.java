package dev.reasoningsdk.impl.server;

/**
 * A request the server refuses, answered with OpenAI's error body
 * {@code {"error": {"message", "type", "param", "code"}}} and the HTTP status. Control flow inside the server only.
 */
final class OpenAiError extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    private OpenAiError(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: {@code param} (a request field, e.g. {@code temperature} or {@code messages[1].content}) is invalid. */
    static OpenAiError invalid(String param, String message) {
        return new OpenAiError(400, "invalid_request_error", param, null, message);
    }

    /**
     * 400 {@code context_length_exceeded} with {@code param: "messages"}, as OpenAI answers messages that leave no
     * room in the model's context (OpenAI's message, then that at least one token must be generated), so that a
     * client such as step search can tell a full context from any other bad request.
     */
    static OpenAiError contextLengthExceeded(int promptTokens, int contextLength) {
        return new OpenAiError(400, "invalid_request_error", "messages", "context_length_exceeded",
                "This model's maximum context length is " + contextLength + " tokens. However, your messages "
                        + "resulted in " + promptTokens + " tokens, and at least one token must be generated. "
                        + "Please reduce the length of the messages.");
    }

    /** 400: the body is not a JSON object. */
    static OpenAiError unparsable(String message) {
        return new OpenAiError(400, "invalid_request_error", null, null, message);
    }

    /** 404: nothing is served at this path. */
    static OpenAiError notFound(String code, String message) {
        return new OpenAiError(404, "invalid_request_error", null, code, message);
    }

    /**
     * 404 {@code model_not_found} with {@code param: "model"}, as OpenAI and vLLM answer a request (or a
     * {@code GET /v1/models/{name}}) naming a model they do not serve; vLLM's message, then the name served.
     */
    static OpenAiError modelNotFound(String asked, String served) {
        return new OpenAiError(404, "invalid_request_error", "model", "model_not_found", "The model `" + asked
                + "` does not exist. This server serves `" + served + "`.");
    }

    /** 405: the path exists, the method does not. */
    static OpenAiError methodNotAllowed(String message) {
        return new OpenAiError(405, "invalid_request_error", null, "method_not_allowed", message);
    }

    /** 413: the body is larger than the server accepts. */
    static OpenAiError tooLarge(long limit) {
        return new OpenAiError(413, "invalid_request_error", null, "request_too_large",
                "the request body exceeds " + limit + " bytes");
    }

    /** 503: the server is shutting down. */
    static OpenAiError unavailable(String message) {
        return new OpenAiError(503, "server_error", null, "service_unavailable", message);
    }

    /** 500: the model failed on a request that was valid. */
    static OpenAiError serverError(String message) {
        return new OpenAiError(500, "server_error", null, null, message);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    String code() {
        return code;
    }
}
