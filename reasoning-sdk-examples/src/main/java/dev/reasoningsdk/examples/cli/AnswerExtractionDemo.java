package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.PrintStream;
import java.util.List;

/** Shows the answer-extraction SPI on responses written the ways real models write them. */
final class AnswerExtractionDemo implements DemoSection {

    @Override
    public String title() {
        return "Answer extraction";
    }

    @Override
    public void run(PrintStream out) {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        for (String response : List.of("14+7=21. 21-5=16. 16*2=32. The answer is 32.",
                "She pays 3 * $400 = $1,200 in total.\n#### 1,200", "Half of 9 is 4.5\nA: 4.50",
                "I am not sure.")) {
            out.printf("%-60s -> %s%n", response.replace('\n', ' '), numeric.extract(response).orElse("(none)"));
        }
    }
}
