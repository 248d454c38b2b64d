package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The folder through the common loader gives what the special-case class gave. */
class TinyReasonerParityTest {

    @Test
    void sameChainsScoresAndStates() throws IOException {
        List<JsonNode> problems = TinyReasonerTest.evalSample();
        try (TinyReasoner old = TinyReasoner.builder().build();
             HuggingFaceOnnxModel folder = EmbeddedTinyReasoner.builder().intraOpThreads(1).build()) {
            for (JsonNode problem : problems.subList(0, 6)) {
                String prompt = folder.formatPrompt(problem.get("question").asText());
                assertThat(prompt).isEqualTo(old.formatPrompt(problem.get("question").asText()));
                GenerationOptions options = GenerationOptions.sampling(0.8, 320, 42).withTopLogProbs(3);
                List<Generation> a = old.generate(prompt, 10, options);
                List<Generation> b = folder.generate(prompt, 10, options);
                assertThat(b).usingRecursiveComparison().isEqualTo(a);
                String chain = a.get(0).text();
                float[] sa = old.continuationLogProbs(prompt, chain);
                float[] sb = folder.continuationLogProbs(prompt, chain);
                float worst = 0;
                for (int i = 0; i < sa.length; i++) {
                    worst = Math.max(worst, Math.abs(sa[i] - sb[i]));
                }
                float[] ha = old.promptHiddenState(prompt);
                float[] hb = folder.promptHiddenState(prompt);
                float worstH = 0;
                for (int i = 0; i < ha.length; i++) {
                    worstH = Math.max(worstH, Math.abs(ha[i] - hb[i]));
                }
                System.out.println("parity: logprob diff " + worst + ", hidden diff " + worstH
                        + (java.util.Arrays.equals(sa, sb) ? " (scores equal)" : "")
                        + (java.util.Arrays.equals(ha, hb) ? " (states equal)" : ""));
                assertThat(worst).isLessThan(1e-4f);
                assertThat(worstH).isLessThan(1e-4f);
            }
        }
    }
}
