package dev.reasoningsdk.impl.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The identity of a request: a canonical JSON of the model, the messages and the effective request parameters, and
 * its SHA-256.
 *
 * <p>Messages and parameters are written generically, field by field over the whole class hierarchy with the class
 * name beside the fields, so that a provider's parameter subclass (OpenAI's {@code seed} and {@code logprobs},
 * Ollama's {@code seed}) and every content part of a message are part of the key without this class knowing the
 * provider. Getters are not used on purpose: LangChain4j's values have record-style accessors that bean
 * introspection would miss, and a field is what the provider's request is built from. Map entries keep their order
 * when the map has one (a JSON schema's properties) and are sorted otherwise; numbers are written exactly as Java
 * prints them.
 *
 * @param json the canonical JSON (stored beside the entry, so the database can be read with any sqlite tool)
 * @param hash its SHA-256, lower-case hex
 */
record RequestKey(String json, String hash) {

    /** Bumped when the canonical form changes, so that old entries miss rather than collide. */
    static final int KEY_VERSION = 1;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // Deep enough for nested JSON schemas of tool parameters; a deeper value is a cycle or hostile.
    private static final int MAX_DEPTH = 64;

    /**
     * The key of one request.
     *
     * @param providerClass the delegate's class name (two providers may share a model name)
     * @param modelName     the delegate's default model name, or null
     * @param messages      the request's messages
     * @param parameters    the effective parameters: the delegate's defaults overridden by the request's
     */
    static RequestKey of(String providerClass, String modelName, List<ChatMessage> messages,
                         ChatRequestParameters parameters) {
        ObjectNode root = NODES.objectNode();
        root.put("keyVersion", KEY_VERSION);
        ObjectNode model = root.putObject("model");
        model.put("provider", providerClass);
        model.put("name", modelName);
        Canonicalizer canonicalizer = new Canonicalizer();
        ArrayNode list = root.putArray("messages");
        for (ChatMessage message : messages) {
            list.add(canonicalizer.node(message, 0));
        }
        root.set("parameters", canonicalizer.node(parameters, 0));
        String json = root.toString();
        return new RequestKey(json, sha256(json));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Turns any value into a JSON tree; one per key, because it remembers the objects on the current path. */
    private static final class Canonicalizer {
        private final Set<Object> path = Collections.newSetFromMap(new IdentityHashMap<>());

        JsonNode node(Object value, int depth) {
            if (value == null) {
                return NODES.nullNode();
            }
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("request nested deeper than " + MAX_DEPTH
                        + " levels cannot be keyed (at a " + value.getClass().getName() + ")");
            }
            if (value instanceof String || value instanceof Character || value instanceof Enum<?>
                    || value instanceof CharSequence) {
                return NODES.textNode(value instanceof Enum<?> e ? e.name() : value.toString());
            }
            if (value instanceof Boolean b) {
                return NODES.booleanNode(b);
            }
            if (value instanceof Number number) {
                return number(number);
            }
            if (value instanceof byte[] bytes) {
                return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            if (value instanceof Optional<?> optional) {
                return node(optional.orElse(null), depth + 1);
            }
            if (!path.add(value)) {
                throw new IllegalArgumentException("request holds a cycle through a " + value.getClass().getName());
            }
            try {
                if (value instanceof Collection<?> collection) {
                    ArrayNode array = NODES.arrayNode();
                    for (Object element : collection) {
                        array.add(node(element, depth + 1));
                    }
                    return array;
                }
                if (value.getClass().isArray()) {
                    ArrayNode array = NODES.arrayNode();
                    for (int i = 0, n = Array.getLength(value); i < n; i++) {
                        array.add(node(Array.get(value, i), depth + 1));
                    }
                    return array;
                }
                if (value instanceof Map<?, ?> map) {
                    return map(map, depth);
                }
                return fields(value, depth);
            } finally {
                path.remove(value);
            }
        }

        private static JsonNode number(Number number) {
            // Typed, so that 1 (an Integer), 1L and 1.0 stay three different values, as a provider would send them.
            ObjectNode typed = NODES.objectNode();
            typed.put("@type", number.getClass().getSimpleName());
            typed.put("value", number.toString());
            return typed;
        }

        private JsonNode map(Map<?, ?> map, int depth) {
            Map<String, Object> entries = map instanceof LinkedHashMap<?, ?> || map instanceof SortedMap<?, ?>
                    ? new LinkedHashMap<>() : new TreeMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                entries.put(String.valueOf(entry.getKey()), entry.getValue());
            }
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<String, Object> entry : entries.entrySet()) {
                object.set(entry.getKey(), node(entry.getValue(), depth + 1));
            }
            return object;
        }

        private JsonNode fields(Object value, int depth) {
            Class<?> type = value.getClass();
            ObjectNode object = NODES.objectNode();
            object.put("@type", type.getName());
            if (type.getName().startsWith("java.")) {
                // A JDK value (URI, Duration, Instant, Path...): its string form is its identity, and its private
                // fields are closed to reflection anyway.
                object.put("value", value.toString());
                return object;
            }
            for (Field field : instanceFields(type)) {
                Object fieldValue;
                try {
                    field.setAccessible(true);
                    fieldValue = field.get(value);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalArgumentException("cannot read " + type.getName() + "." + field.getName()
                            + " to key the request: " + e.getMessage(), e);
                }
                // A field a subclass hides keeps its own slot under its declaring class's name.
                String name = object.has(field.getName())
                        ? field.getDeclaringClass().getSimpleName() + "." + field.getName() : field.getName();
                object.set(name, node(fieldValue, depth + 1));
            }
            return object;
        }

        /** Non-static, non-transient fields of the class and its superclasses, sorted by name, subclass first. */
        private static List<Field> instanceFields(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                List<Field> own = new ArrayList<>();
                for (Field field : c.getDeclaredFields()) {
                    int modifiers = field.getModifiers();
                    if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()) {
                        own.add(field);
                    }
                }
                own.sort(Comparator.comparing(Field::getName));
                fields.addAll(own);
            }
            return fields;
        }
    }
}
