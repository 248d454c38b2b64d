package dev.reasoningsdk.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Eight live problems and eight GSM8K solution rows, the smallest files a live bench runs on quickly: half the
 * problems are sums, which {@code FaultInjectingServer}'s default reply gets right, half differences, which it misses.
 *
 * @param problems  the problems file ({@code --problems})
 * @param solutions the GSM8K model solutions ({@code --data}), one row per question, every source's solution
 */
record LiveBenchFiles(Path problems, Path solutions) {

    /** Writes both files into {@code dir}. */
    static LiveBenchFiles write(Path dir) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> solutions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            problems.add("{\"id\": " + i + ", \"question\": \"Ana has " + (10 + i) + " shells. She "
                    + (i % 2 == 0 ? "finds" : "loses") + " 3. How many now?\", \"answer\": "
                    + (i % 2 == 0 ? 13 + i : 7 + i) + "}");
            StringBuilder row = new StringBuilder("{\"question\": \"What is " + i + " times 7?\", \"ground_truth\": "
                    + "\"#### " + 7 * i + "\"");
            for (String source : ModelSolutions.SOURCES) {
                row.append(", \"").append(source).append("\": {\"solution\": \"The answer is ")
                        .append(source.startsWith("6b") ? 7 * i : 7 * i + 1).append(".\"}");
            }
            solutions.add(row + "}");
        }
        return new LiveBenchFiles(Files.write(dir.resolve("problems.jsonl"), problems),
                Files.write(dir.resolve("solutions.jsonl"), solutions));
    }
}
