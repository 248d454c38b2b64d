package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code reasoning serve} as a user runs it: a separate process, its URL read from stdout, stopped by SIGTERM. */
class ServeCommandTest {

    private static final String QUESTION = "Ana starts with 7 shells. She sells 4. How many shells does she have now?";

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void servesTheTinyReasonerUntilTerminated(@TempDir Path dir) throws Exception {
        Path stdout = dir.resolve("stdout");
        Process process = serve(stdout, "--port", "0", "--provider", "cpu");
        try {
            String url = firstLine(stdout, process);
            assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/v1");
            String reply = OpenAiChatModel.builder().baseUrl(url).apiKey("unused").modelName("tiny-reasoner@1")
                    .temperature(0.0).maxRetries(0).timeout(Duration.ofSeconds(60)).build().chat(QUESTION);
            try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
                assertThat(reply).isEqualTo(model.generate(TinyReasoner.prompt(QUESTION), 1,
                        GenerationOptions.greedy(model.contextLength())).get(0).text());
            }
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped by SIGTERM").isTrue();
            // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited on the signal.
            assertThat(process.exitValue()).isEqualTo(143);
            assertThat(Files.readAllLines(stdout)).as("nothing but the URL on stdout").containsExactly(url);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void servesAHuggingFaceExportFolder(@TempDir Path dir) throws Exception {
        Path folder = ProjectData.require("models/qwen3-tiny-random");
        Path stdout = dir.resolve("stdout");
        Process process = serve(stdout, "--model", folder.toString(), "--port", "0", "--execution-provider", "cpu",
                "--served-model-name", "my-app-model");
        try {
            String url = firstLine(stdout, process);
            // Served under the name the application uses; the folder's own name is now a model it does not serve.
            assertThatThrownBy(() -> OpenAiChatModel.builder().baseUrl(url).apiKey("unused")
                    .modelName("qwen3-tiny-random").maxRetries(0).timeout(Duration.ofSeconds(60)).build()
                    .chat(QUESTION))
                    .hasMessageContaining("model_not_found").hasMessageContaining("`my-app-model`");
            ChatResponse reply = OpenAiChatModel.builder().baseUrl(url).apiKey("unused")
                    .modelName("my-app-model").temperature(0.0).maxTokens(12).maxRetries(0)
                    .timeout(Duration.ofSeconds(60)).build()
                    .chat(SystemMessage.from("You are a helpful assistant."), UserMessage.from(QUESTION));
            try (HuggingFaceOnnxModel model = HuggingFaceOnnxModel.of(folder)) {
                String prompt = model.formatConversation(List.of(ChatTurn.system("You are a helpful assistant."),
                        ChatTurn.user(QUESTION)));
                Generation expected = model.generate(prompt, 1, GenerationOptions.greedy(12)).get(0);
                assertThat(reply.aiMessage().text()).isEqualTo(expected.text());
                assertThat(reply.tokenUsage().inputTokenCount()).isEqualTo(expected.promptTokens());
                assertThat(reply.tokenUsage().outputTokenCount()).isEqualTo(expected.tokenIds().length);
            }
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void solveOverOllamasApiGivesTheAnswersOfTheOpenAiApi(@TempDir Path dir) throws Exception {
        Path stdout = dir.resolve("stdout");
        Process process = serve(stdout, "--port", "0", "--execution-provider", "cpu");
        try {
            String url = firstLine(stdout, process);
            String root = url.substring(0, url.length() - "/v1".length());
            JsonNode viaOpenAi = solve("openai", url);
            JsonNode viaOllama = solve("ollama", root);
            assertThat(viaOllama.path("endpoint").path("provider").asText()).isEqualTo("ollama");
            assertThat(viaOllama.path("answer").asText()).isEqualTo(viaOpenAi.path("answer").asText()).isNotEmpty();
            assertThat(viaOllama.path("model_calls").asInt()).isEqualTo(viaOpenAi.path("model_calls").asInt())
                    .isPositive();
            assertThat(viaOllama.path("failed_calls").asInt()).isZero();
            // The same seeds give the same chains on both wires: the same votes and the same tokens.
            for (String field : List.of("groups", "input_tokens", "output_tokens")) {
                assertThat(viaOllama.path(field)).as(field).isEqualTo(viaOpenAi.path(field));
            }
            assertThat(viaOllama.path("output_tokens").asInt()).isPositive();
        } finally {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    /** {@code reasoning solve} by majority over the served tiny reasoner, through {@code provider}'s client. */
    private static JsonNode solve(String provider, String baseUrl) throws Exception {
        CliRun run = CliRun.of("solve", "--method", "majority", "--samples", "3", "--provider", provider,
                "--base-url", baseUrl, "--model", "tiny-reasoner@1", QUESTION);
        assertThat(run.exit()).as(provider + ": " + run.err()).isZero();
        return run.json();
    }

    @Test
    void badFaultMixesExitTwoWithOneLineBeforeAnythingListens() {
        for (String[] faults : List.of(new String[] {"429=0.7,500=0.5", "more than 1"},
                new String[] {"teapot=0.1", "unknown kind 'teapot'"}, new String[] {"429", "KIND=RATE"},
                new String[] {"500=x", "must be a number"}, new String[] {"hang=-0.1", "must be in [0, 1]"},
                new String[] {"500=0.1,500=0.1", "twice"})) {
            StringWriter err = new StringWriter();
            CommandLine commandLine = ReasoningCli.newCommandLine();
            commandLine.setErr(new PrintWriter(err, true));
            assertThat(commandLine.execute("serve", "--port", "0", "--faults", faults[0]))
                    .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
            assertThat(err.toString().lines()).as(faults[0]).singleElement().asString().startsWith("reasoning: ")
                    .contains(faults[1]);
        }
    }

    @Test
    void aBlankServedModelNameExitsTwoWithOneLineBeforeAnythingListens() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = ReasoningCli.newCommandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("serve", "--port", "0", "--served-model-name", " "))
                .isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(err.toString().lines()).singleElement().asString().startsWith("reasoning: ")
                .contains("--served-model-name is blank");
    }

    /** Waits for the first complete line the process writes to {@code file}. */
    /**
     * {@code reasoning serve OPTIONS} in a separate JVM on this classpath. Its stdout goes to {@code stdout}, a file:
     * destroying a process closes its pipes, and a test reads stdout after the exit.
     */
    private static Process serve(Path stdout, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), ReasoningCli.class.getName(), "serve"));
        command.addAll(List.of(options));
        return new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String firstLine(Path file, Process process) throws Exception {
        while (true) {
            String text = Files.readString(file);
            int end = text.indexOf('\n');
            if (end >= 0) {
                return text.substring(0, end);
            }
            assertThat(process.isAlive()).as("serve exited before printing its URL").isTrue();
            Thread.sleep(50);
        }
    }

    @Test
    void aPortInUseOrAnotherMachinesAddressExitsTwoWithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            CommandLine commandLine = ReasoningCli.newCommandLine();
            commandLine.setErr(new PrintWriter(err, true));
            int exit = commandLine.execute("serve", "--port", String.valueOf(taken.getLocalPort()), "--provider",
                    "cpu");
            assertThat(exit).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
            assertThat(err.toString().lines()).singleElement().asString().startsWith("reasoning: ")
                    .contains("--port " + taken.getLocalPort()).contains("in use");
        }
        // An address of another machine (TEST-NET-1) was reported as "--port 0: ... is in use", and a name that does
        // not resolve exited 1 with an UncheckedIOException.
        for (String host : List.of("192.0.2.1", "999.1.1.1")) {
            CliRun run = CliRun.of("serve", "--port", "0", "--host", host, "--execution-provider", "cpu");
            run.assertBadInput("--host " + host + " --port 0: cannot listen there: ");
            assertThat(run.err()).doesNotContain("in use");
        }
        StringWriter err = new StringWriter();
        CommandLine commandLine = ReasoningCli.newCommandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("serve", "--port", "70000")).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
        assertThat(err.toString().lines()).singleElement().asString().contains("--port must be in [0, 65535]");
    }
}
