package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.DataFileException;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.onnx.hf.ChatMessage;
import dev.reasoningsdk.impl.onnx.hf.ChatTemplate;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The model folder and the conversation of {@code generate} and {@code score}: {@code --model DIR} (a Hugging Face
 * export folder, {@code docs/local-models.md}), either {@code --system TEXT --user TEXT} or {@code --messages FILE}
 * (a JSON list of {@code {"role": ..., "content": ...}}), and {@code --no-thinking} ({@code enable_thinking} false
 * in the chat template). The prompt is the model's chat template with the generation prompt, as
 * {@code apply_chat_template(messages, add_generation_prompt=True)} renders it.
 *
 * <p>Options are kept as given and checked when used, so a bad value or combination exits 2 with one line.
 */
final class ConversationOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A Hugging Face ONNX export folder (config.json, tokenizer.json, tokenizer_config.json, "
                    + "model.onnx).")
    Path model;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before the user's.")
    String system;

    @Option(names = "--user", paramLabel = "TEXT", description = "The user's message.")
    String user;

    @Option(names = "--messages", paramLabel = "FILE",
            description = "The conversation as a JSON list of {\"role\": ..., \"content\": ...} (instead of "
                    + "--system and --user).")
    Path messagesFile;

    @Option(names = "--no-thinking", description = "Render the chat template with enable_thinking false.")
    boolean noThinking;

    /**
     * The conversation the options name, read and checked before the model loads.
     *
     * @throws IllegalArgumentException if {@code --user} or {@code --system} is blank (an unset shell variable, most
     *                                  often: the model would answer an empty turn as readily as a question)
     */
    List<ChatMessage> messages() throws IOException {
        if (messagesFile != null) {
            if (system != null || user != null) {
                throw new IllegalArgumentException("--messages replaces --system and --user; give one or the other");
            }
            return readMessages(messagesFile);
        }
        if (user == null) {
            throw new IllegalArgumentException("give --user TEXT (with an optional --system TEXT) or --messages "
                    + "FILE");
        }
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(ChatMessage.system(Arguments.notBlank(system, "--system")));
        }
        messages.add(ChatMessage.user(Arguments.notBlank(user, "--user")));
        return List.copyOf(messages);
    }

    /** The template variables: {@code enable_thinking=false} with {@code --no-thinking}, none otherwise. */
    Map<String, Object> variables() {
        return noThinking ? Map.of("enable_thinking", false) : Map.of();
    }

    /** Loads the model folder ({@code ModelLoadException} naming the file and the reason when it cannot). */
    HuggingFaceOnnxModel load() {
        return HuggingFaceOnnxModel.of(model);
    }

    /**
     * The rendered prompt of {@code messages} (from {@link #messages()}), with the generation prompt.
     *
     * @throws IllegalArgumentException naming the folder if it has no chat template (a base model's export), as
     *                                  {@code apply_chat_template} refuses one: bad input, not a failure of ours
     */
    String prompt(HuggingFaceOnnxModel loaded, List<ChatMessage> messages) {
        ChatTemplate template;
        try {
            template = loaded.chatTemplate();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("--model " + model + ": " + e.getMessage() + ", which renders the "
                    + "conversation", e);
        }
        return template.render(messages, true, variables());
    }

    /**
     * A JSON list of objects with a string {@code role} and a string {@code content}, nothing else; a user message's
     * content is not blank.
     */
    static List<ChatMessage> readMessages(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(TextFiles.read(file));
        } catch (JsonProcessingException e) {
            throw new DataFileException(file, "is not JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr());
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new DataFileException(file, "must hold a non-empty JSON list of {\"role\", \"content\"} objects");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode message = root.get(i);
            if (!message.isObject() || !message.path("role").isTextual() || !message.path("content").isTextual()
                    || message.path("role").asText().isBlank()) {
                throw new DataFileException(file, "message " + i + " must be an object with a string \"role\" and "
                        + "a string \"content\", was " + message);
            }
            if (message.get("role").asText().equals("user") && message.get("content").asText().isBlank()) {
                // As --user: the model would answer the blank turn. Other roles may be empty (an assistant's
                // prefill, a system message that replaces the template's default).
                throw new DataFileException(file, "message " + i + " is a user message with blank content");
            }
            messages.add(ChatMessage.of(message.get("role").asText(), message.get("content").asText()));
        }
        return List.copyOf(messages);
    }
}
