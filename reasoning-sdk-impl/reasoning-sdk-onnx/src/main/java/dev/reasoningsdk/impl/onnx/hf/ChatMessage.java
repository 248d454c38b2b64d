package dev.reasoningsdk.impl.onnx.hf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation as a Hugging Face chat template sees it: a dict with {@code role} and
 * {@code content}, plus whatever else the template reads ({@code tool_calls}, {@code reasoning_content},
 * {@code name}...). Values may be strings, numbers, booleans, lists and maps, as in JSON.
 *
 * @param role       {@code system}, {@code user}, {@code assistant}, {@code tool} or any role the template knows
 * @param content    the message text
 * @param attributes further keys of the message, in order
 */
public record ChatMessage(String role, String content, Map<String, Object> attributes) {

    /** @throws IllegalArgumentException if the role is blank or an attribute is named role or content */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(attributes, "attributes");
        if (role.isBlank()) {
            throw new IllegalArgumentException("role must not be blank");
        }
        if (attributes.containsKey("role") || attributes.containsKey("content")) {
            throw new IllegalArgumentException("attributes must not repeat role or content, were "
                    + attributes.keySet());
        }
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** A message with only a role and content. */
    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, Map.of());
    }

    /** A {@code system} message. */
    public static ChatMessage system(String content) {
        return of("system", content);
    }

    /** A {@code user} message. */
    public static ChatMessage user(String content) {
        return of("user", content);
    }

    /** An {@code assistant} message. */
    public static ChatMessage assistant(String content) {
        return of("assistant", content);
    }

    /** This message with one more attribute ({@code tool_calls}, {@code reasoning_content}...). */
    public ChatMessage with(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(attributes);
        more.put(Objects.requireNonNull(key, "key"), value);
        return new ChatMessage(role, content, more);
    }

    /** The message as the template's dict: role, content, then the attributes. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role);
        map.put("content", content);
        map.putAll(attributes);
        return map;
    }
}
