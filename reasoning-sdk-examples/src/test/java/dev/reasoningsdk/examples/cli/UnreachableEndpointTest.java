package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command that takes {@code --provider openai|ollama} refuses an endpoint nothing can be connected to before
 * it does anything else: exit 2 and one line on the real stderr of a separate process, nothing on stdout. Before,
 * the live benches ran their whole offline half first (progress lines on stderr, minutes of work), {@code demo}
 * printed its offline sections, and {@code judge} and {@code verifier sample} loaded local models, each only then
 * finding the endpoint dead.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class UnreachableEndpointTest {

    @TempDir
    static Path dir;

    private static String closedOpenAi;
    private static String closedOllama;

    @BeforeAll
    static void findAClosedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedOllama = "http://127.0.0.1:" + socket.getLocalPort();
            closedOpenAi = closedOllama + "/v1";
        }
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("openai", List.of("bench", "aggregate", "--live", "--max-problems", "1", "--json")),
                Arguments.of("ollama", List.of("bench", "confidence", "--live", "--max-problems", "4", "--json")),
                Arguments.of("openai", List.of("verifier", "sample", "--samples", "1", "--out", "OUT")),
                Arguments.of("ollama", List.of("judge", "What is 3 plus 4?")),
                Arguments.of("openai", List.of("demo")));
    }

    @ParameterizedTest(name = "{1} --provider {0}")
    @MethodSource("commands")
    void aClosedPortIsRefusedUpFrontInOneLine(String provider, List<String> command) throws Exception {
        String url = provider.equals("openai") ? closedOpenAi : closedOllama;
        Path out = dir.resolve(String.join("-", command).replaceAll("[^A-Za-z0-9-]", "_") + ".jsonl");
        ChildRun run = run(command, out, "--provider", provider, "--base-url", url, "--model", "x");

        run.assertRefusedInOneLine("--base-url " + url + ": could not connect (ConnectException");
        assertThat(out).doesNotExist();
    }

    @Test
    void aHostThatDoesNotResolveIsRefusedUpFrontInOneLine() throws Exception {
        // .invalid never resolves (RFC 2606). One command is enough: the check is shared.
        String url = "http://no-such-host.invalid:8000/v1";
        ChildRun run = run(List.of("judge", "What is 3 plus 4?"), dir.resolve("unused"), "--provider", "openai",
                "--base-url", url, "--model", "x");

        run.assertRefusedInOneLine("--base-url " + url + ": could not connect (UnknownHostException");
    }

    @Test
    void throughAProxyItIsTheProxyThatIsChecked() throws Exception {
        // The provider's HTTP client would send the request to the proxy, not resolve the host itself: so must the
        // check, and say which it could not reach.
        String url = "http://no-such-host.invalid:8000/v1";
        String port = closedOllama.substring(closedOllama.lastIndexOf(':') + 1);
        ChildRun run = run(List.of("-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + port),
                List.of("judge", "What is 3 plus 4?"), dir.resolve("unused"), "--provider", "openai", "--base-url",
                url, "--model", "x");

        run.assertRefusedInOneLine("--base-url " + url + " (through the proxy 127.0.0.1:" + port
                + "): could not connect (ConnectException");
    }

    /** {@code reasoning COMMAND... EXTRA...} in its own JVM, as a user runs it; OUT in the command becomes out. */
    private static ChildRun run(List<String> command, Path out, String... extra) throws Exception {
        return run(List.of(), command, out, extra);
    }

    /** {@link #run(List, Path, String...)} with {@code jvmOptions} for the child JVM. */
    private static ChildRun run(List<String> jvmOptions, List<String> command, Path out, String... extra)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> args = new ArrayList<>(List.of(java));
        args.addAll(jvmOptions);
        args.addAll(List.of("-cp", System.getProperty("java.class.path"), ReasoningCli.class.getName()));
        command.forEach(arg -> args.add(arg.equals("OUT") ? out.toString() : arg));
        args.addAll(List.of(extra));
        Path stdout = Files.createTempFile(dir, "stdout", ".txt");
        Path stderr = Files.createTempFile(dir, "stderr", ".txt");
        Process process = new ProcessBuilder(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        try {
            assertThat(process.waitFor(540, TimeUnit.SECONDS)).as("the command ended").isTrue();
            return new ChildRun(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } finally {
            process.destroyForcibly();
        }
    }

    private record ChildRun(int exit, String out, String err) {
        void assertRefusedInOneLine(String named) {
            assertThat(exit).as(err).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
            // One line: no progress line, no log line, no stack trace before or after the reason.
            assertThat(err.strip().lines()).as(err).singleElement().asString()
                    .startsWith("reasoning: ").contains(named).contains("is a server running there?");
            assertThat(out).isEmpty();
        }
    }
}
