package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.retrieval.HiddenStateSelfKnowledge;
import dev.reasoningsdk.impl.retrieval.LinearHead;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reasoning generate} and {@code reasoning score} on the qwen3-tiny-random export folder, against its
 * {@code reference.json} (renderings by jinja2, ids by an independent tokenizer, log-probabilities by PyTorch): every
 * conversation with and without thinking, through {@code --system/--user} and through {@code --messages}.
 */
class HuggingFaceCommandsTest {

    private static final double LOG_PROB_TOLERANCE = 1e-3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FOLDER = ProjectData.require("models/qwen3-tiny-random");

    @TempDir
    Path dir;

    @Test
    void generateMatchesTheReferenceForEveryConversation() throws IOException {
        JsonNode reference = JSON.readTree(FOLDER.resolve("reference.json").toFile());
        int checked = 0;
        for (JsonNode conversation : reference.get("conversations")) {
            for (JsonNode rendering : conversation.get("renderings")) {
                boolean noThinking = rendering.get("enable_thinking").isBoolean();
                String name = conversation.get("name").asText() + (noThinking ? " --no-thinking" : "");
                for (List<String> source : sources(conversation)) {
                    List<String> args = new ArrayList<>(List.of("generate", "--model", FOLDER.toString(),
                            "--max-tokens", "12", "--temperature", "0", "--json", "--execution-provider", "cpu"));
                    args.addAll(source);
                    if (noThinking) {
                        args.add("--no-thinking");
                    }
                    CliRun run = CliRun.of(args.toArray(String[]::new));
                    assertThat(run.exit()).as(name + ": " + run.err()).isZero();
                    JsonNode out = run.json();
                    JsonNode greedy = rendering.get("greedy");
                    assertThat(out.get("prompt").asText()).as(name).isEqualTo(rendering.get("text").asText());
                    assertThat(out.get("prompt_token_ids")).as(name).isEqualTo(rendering.get("input_ids"));
                    assertThat(out.get("token_ids")).as(name).isEqualTo(greedy.get("ids_with_cache"));
                    JsonNode expected = greedy.get("logprobs_with_cache");
                    assertThat(out.get("token_logprobs")).as(name).hasSize(expected.size());
                    for (int i = 0; i < expected.size(); i++) {
                        assertThat(out.get("token_logprobs").get(i).asDouble()).as(name + " token " + i)
                                .isCloseTo(expected.get(i).asDouble(), within(LOG_PROB_TOLERANCE));
                    }
                    assertThat(out.get("text").asText()).as(name).isNotEmpty();
                    assertThat(out.at("/usage/completion_tokens").asInt()).isEqualTo(12);
                    checked++;
                }
            }
        }
        // 3 conversations x 2 renderings, the two that fit --system/--user also through --messages.
        assertThat(checked).isEqualTo(10);
    }

    @Test
    void generateReportsTopAlternativesWithTheChosenTokenFirstWhenGreedy() throws IOException {
        CliRun run = CliRun.of("generate", "--model", FOLDER.toString(), "--user", "What is 2 + 3?",
                "--max-tokens", "3", "--temperature", "0", "--top-logprobs", "4", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode out = run.json();
        assertThat(out.get("top_logprobs")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode alternatives = out.get("top_logprobs").get(i);
            assertThat(alternatives).hasSize(4);
            assertThat(alternatives.get(0).get("logprob").asDouble())
                    .isCloseTo(out.get("token_logprobs").get(i).asDouble(), within(1e-6));
            assertThat(alternatives.get(1).get("logprob").asDouble())
                    .isLessThanOrEqualTo(alternatives.get(0).get("logprob").asDouble());
        }
    }

    @Test
    void sampledGenerationIsReproducibleBySeed() throws IOException {
        String[] args = {"generate", "--model", FOLDER.toString(), "--user", "Hi", "--max-tokens", "8",
                "--temperature", "1.0", "--seed", "7", "--json"};
        JsonNode first = CliRun.of(args).json();
        JsonNode second = CliRun.of(args).json();
        assertThat(second.get("token_ids")).isEqualTo(first.get("token_ids"));
        args[args.length - 2] = "8";
        JsonNode other = CliRun.of(args).json();
        assertThat(other.get("token_ids")).isNotEqualTo(first.get("token_ids"));
    }

    @Test
    void scoreMatchesTheReferenceTeacherForcing() throws IOException {
        JsonNode reference = JSON.readTree(FOLDER.resolve("reference.json").toFile());
        JsonNode forcing = reference.get("teacher_forcing");
        JsonNode conversation = null;
        for (JsonNode candidate : reference.get("conversations")) {
            if (candidate.get("name").asText().equals(forcing.get("conversation").asText())) {
                conversation = candidate;
            }
        }
        assertThat(forcing.get("enable_thinking").asBoolean()).isFalse();
        for (JsonNode continuation : forcing.get("continuations")) {
            List<String> args = new ArrayList<>(List.of("score", "--model", FOLDER.toString(), "--no-thinking",
                    "--continuation", continuation.get("text").asText(), "--json"));
            args.addAll(sources(conversation).get(0));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode out = run.json();
            assertThat(out.get("prompt_token_ids")).isEqualTo(forcing.get("prompt_ids"));
            assertThat(out.get("continuation_logprob").asDouble())
                    .isCloseTo(continuation.get("sum_logprob").asDouble(), within(LOG_PROB_TOLERANCE));
            JsonNode expected = continuation.get("token_logprobs");
            assertThat(out.get("token_logprobs")).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(out.get("token_logprobs").get(i).asDouble())
                        .isCloseTo(expected.get(i).asDouble(), within(LOG_PROB_TOLERANCE));
            }
        }
    }

    @Test
    void badInputExitsTwoWithOneLine() throws IOException {
        Path malformed = Files.writeString(dir.resolve("bad.json"), "[{\"role\": \"user\"}]");
        Path notJson = Files.writeString(dir.resolve("notjson.json"), "[{\"role\": ");
        List<List<String>> cases = List.of(
                List.of("generate", "--model", dir.resolve("missing").toString(), "--user", "hi"),
                List.of("generate", "--model", FOLDER.toString(), "--messages", malformed.toString()),
                List.of("generate", "--model", FOLDER.toString(), "--messages", notJson.toString()),
                List.of("generate", "--model", FOLDER.toString(), "--messages", dir.resolve("none.json").toString()),
                List.of("generate", "--model", FOLDER.toString()),
                List.of("generate", "--model", FOLDER.toString(), "--user", "hi", "--messages", malformed.toString()),
                List.of("generate", "--model", FOLDER.toString(), "--user", "hi", "--max-tokens", "0"),
                List.of("score", "--model", dir.resolve("missing").toString(), "--user", "hi", "--continuation", "x"),
                List.of("score", "--model", FOLDER.toString(), "--user", "hi", "--continuation", ""));
        for (List<String> args : cases) {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exit()).as(args + ": " + run.err()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
            assertThat(run.err().lines()).as(args.toString()).singleElement().asString().startsWith("reasoning: ");
        }
        assertThat(CliRun.of("generate", "--model", FOLDER.toString(), "--messages", malformed.toString()).err())
                .contains("bad.json").contains("message 0");
        assertThat(CliRun.of("generate", "--model", dir.resolve("missing").toString(), "--user", "hi").err())
                .contains("missing").contains("no such directory");
    }

    @Test
    void anExportWithoutAChatTemplateIsBadInputNamingTheFolder() throws IOException {
        // A base model's export: everything but the chat template, which generate and score render the turns with.
        Path base = Files.createDirectories(dir.resolve("base model"));
        for (String name : List.of("config.json", "generation_config.json", "tokenizer.json", "model.onnx")) {
            Files.copy(FOLDER.resolve(name), base.resolve(name));
        }
        ObjectNode tokenizerConfig = (ObjectNode) JSON.readTree(FOLDER.resolve("tokenizer_config.json").toFile());
        assertThat(tokenizerConfig.remove("chat_template")).isNotNull();
        Files.writeString(base.resolve("tokenizer_config.json"), JSON.writeValueAsString(tokenizerConfig));
        for (CliRun run : List.of(
                CliRun.of("generate", "--model", base.toString(), "--user", "hi", "--max-tokens", "2"),
                CliRun.of("score", "--model", base.toString(), "--user", "hi", "--continuation", "x"))) {
            run.assertBadInput(base + ": base model has no chat template");
        }
    }

    @Test
    void judgeTrainsASelfKnowledgeHeadOnTheFoldersHiddenStates() throws IOException {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            // Recorded answers of "this model": right for even problems, wrong for odd ones.
            String answer = String.valueOf(10 + i);
            String given = i % 2 == 0 ? answer : "0";
            rows.append(JSON.writeValueAsString(Map.of("question", "What is " + i + " plus 10?",
                    "answer", answer, "model_sample_answers", List.of(given, given, given)))).append('\n');
        }
        Path data = Files.writeString(dir.resolve("problems.jsonl"), rows);
        Path out = dir.resolve("head.json");
        CliRun run = CliRun.of("judge", "train", "--criterion", "self-knowledge", "--model", FOLDER.toString(),
                "--data", data.toString(), "--out", out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.json().get("feature_model").asText()).isEqualTo("qwen3-tiny-random");
        assertThat(run.json().get("rows").asInt()).isEqualTo(12);
        LinearHead head = LinearHead.read(out);
        try (HuggingFaceOnnxModel model = HuggingFaceOnnxModel.of(FOLDER)) {
            // The head reads the fixture's final hidden state (hidden_size 32) of the question in its chat template.
            assertThat(head.dimension()).isEqualTo(model.promptHiddenState("x").length);
            String question = "What is 3 plus 10?";
            double probability = HiddenStateSelfKnowledge.builder().model(model)
                    .head(head).promptFormat(model::formatPrompt).build().evaluate(question).probability();
            assertThat(probability).isCloseTo(head.probability(model.promptHiddenState(model.formatPrompt(question))),
                    within(1e-9));
        }
        CliRun shortName = CliRun.of("judge", "train", "--criterion", "self", "--model", FOLDER.toString(),
                "--data", data.toString(), "--out", out.toString());
        assertThat(shortName.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(shortName.err()).contains("unknown criterion 'self'").contains("self-knowledge");
        CliRun wrongKind = CliRun.of("judge", "train", "--criterion", "time", "--model", FOLDER.toString(),
                "--data", data.toString(), "--out", out.toString());
        assertThat(wrongKind.exit()).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(wrongKind.err()).contains("--model is for self-knowledge");
    }

    /** The CLI options that give a conversation: --system/--user where they can, and always --messages. */
    private List<List<String>> sources(JsonNode conversation) throws IOException {
        List<List<String>> sources = new ArrayList<>();
        JsonNode messages = conversation.get("messages");
        boolean systemUser = messages.size() == 2 && role(messages, 0).equals("system") && role(messages, 1)
                .equals("user");
        if (systemUser) {
            sources.add(List.of("--system", messages.get(0).get("content").asText(), "--user",
                    messages.get(1).get("content").asText()));
        } else if (messages.size() == 1 && role(messages, 0).equals("user")) {
            sources.add(List.of("--user", messages.get(0).get("content").asText()));
        }
        Path file = dir.resolve(conversation.get("name").asText() + ".json");
        Files.writeString(file, JSON.writeValueAsString((ArrayNode) messages));
        sources.add(List.of("--messages", file.toString()));
        return sources;
    }

    private static String role(JsonNode messages, int i) {
        return messages.get(i).get("role").asText();
    }
}
