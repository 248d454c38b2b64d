package dev.reasoningsdk.impl.onnx.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The qwen3-tiny-random export folder (the project's copy, {@code models/qwen3-tiny-random}) and its
 * {@code reference.json}: renderings by jinja2, ids by an independent tokenizer, logits and log-probabilities by
 * PyTorch.
 */
final class Qwen3Fixture {

    static final Path FOLDER = ProjectData.require("models/qwen3-tiny-random");
    static final JsonNode REFERENCE = read(FOLDER.resolve("reference.json"));

    private Qwen3Fixture() {
    }

    /** The model on one CPU thread, with a session factory of its own that closing it closes. */
    static HuggingFaceOnnxModel open() {
        return HuggingFaceOnnxModel.builder().folder(FOLDER).executionProvider(ExecutionProvider.CPU)
                .intraOpThreads(1).build();
    }

    /** One rendering of one reference conversation. */
    record Rendering(String conversation, List<ChatMessage> messages, Map<String, Object> variables, JsonNode node) {
        String text() {
            return node.get("text").asText();
        }

        int[] inputIds() {
            return ints(node.get("input_ids"));
        }

        @Override
        public String toString() {
            return conversation + " " + variables;
        }
    }

    /** Every rendering of every conversation: enable_thinking undefined, then false. */
    static List<Rendering> renderings() {
        List<Rendering> all = new ArrayList<>();
        for (JsonNode conversation : REFERENCE.get("conversations")) {
            List<ChatMessage> messages = new ArrayList<>();
            for (JsonNode message : conversation.get("messages")) {
                messages.add(ChatMessage.of(message.get("role").asText(), message.get("content").asText()));
            }
            for (JsonNode rendering : conversation.get("renderings")) {
                Map<String, Object> variables = new LinkedHashMap<>();
                JsonNode thinking = rendering.get("enable_thinking");
                if (thinking.isBoolean()) {
                    variables.put("enable_thinking", thinking.asBoolean());
                }
                all.add(new Rendering(conversation.get("name").asText(), List.copyOf(messages), variables,
                        rendering));
            }
        }
        return all;
    }

    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
