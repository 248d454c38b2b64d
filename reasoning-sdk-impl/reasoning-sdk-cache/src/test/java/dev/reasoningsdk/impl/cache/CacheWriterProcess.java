package dev.reasoningsdk.impl.cache;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link CacheProcessesTest}: writes one cache file beside another process.
 *
 * <ul>
 *   <li>{@code share FILE TAG COUNT OUT}: asks {@code shared i} and {@code own TAG i} for i below COUNT, with a
 *       model whose reply names TAG, and writes "prompt TAB reply" lines to OUT.</li>
 *   <li>{@code flood FILE PROGRESS}: asks {@code big i} for ever, each reply {@link #bigReply} (a quarter of a
 *       megabyte), and writes the number of replies stored so far to PROGRESS after each: to be killed.</li>
 * </ul>
 */
public final class CacheWriterProcess {

    private CacheWriterProcess() {
    }

    /** The reply to {@code big i}: long enough that a kill is likely to land inside a write. */
    static String bigReply(String prompt) {
        return (prompt + " | ").repeat(256 * 1024 / (prompt.length() + 3));
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        if (args[0].equals("share")) {
            String tag = args[2];
            int count = Integer.parseInt(args[3]);
            CountingModel model = CountingModel.answering(request -> ChatResponse.builder()
                    .aiMessage(AiMessage.from(ScriptedChatModel.userText(request) + " answered by " + tag)).build(),
                    ChatRequestParameters.builder().modelName("shared-model").build());
            List<String> lines = new ArrayList<>();
            try (CachingChatModel cached = CachingChatModel.of(model, file)) {
                for (int i = 0; i < count; i++) {
                    for (String prompt : List.of("shared " + i, "own " + tag + " " + i)) {
                        lines.add(prompt + "\t" + cached.chat(prompt));
                    }
                }
                lines.add("stats\t" + cached.stats().hits() + " " + cached.stats().misses() + " "
                        + cached.stats().writes());
            }
            Files.write(Path.of(args[4]), lines, StandardCharsets.UTF_8);
        } else {
            Path progress = Path.of(args[2]);
            CountingModel model = CountingModel.answering(request -> ChatResponse.builder()
                    .aiMessage(AiMessage.from(bigReply(ScriptedChatModel.userText(request)))).build(),
                    ChatRequestParameters.builder().modelName("big-model").build());
            CachingChatModel cached = CachingChatModel.of(model, file);
            for (int i = 0; ; i++) {
                cached.chat("big " + i);
                Files.writeString(progress, Long.toString(cached.stats().writes()), StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            }
        }
    }
}
