package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A control-flow fake of a character-level reasoner: after {@code A:} it writes {@code steps} doubling steps
 * ({@code " 1*2=2."}), each wrong ({@code 1*2=3}) with probability {@code errorRate} drawn from the row's seed and the
 * step's index, then {@code " The answer is N."} and its end of sequence. A prompt that ends inside a chain is
 * continued from the step it stopped in, so any prefix can be continued. One character is one token; it counts
 * every token it generates and every call.
 */
final class ArithmeticChainModel implements CausalLanguageModel {

    private static final Pattern STEP_END = Pattern.compile("[.](?=\\s)|[.]$");
    private static final Pattern RESULT = Pattern.compile("=(\\d+)");

    private final int steps;
    private final double errorRate;
    final AtomicLong generatedTokens = new AtomicLong();
    final AtomicLong calls = new AtomicLong();

    ArithmeticChainModel(int steps, double errorRate) {
        this.steps = steps;
        this.errorRate = errorRate;
    }

    @Override
    public List<Generation> generate(String prompt, int count, GenerationOptions options) {
        calls.incrementAndGet();
        int answerAt = prompt.lastIndexOf("A:");
        String chain = prompt.substring(answerAt + 2);
        List<Generation> out = new ArrayList<>();
        for (int row = 0; row < count; row++) {
            String rest = remainder(chain, options.seed() + row);
            boolean cut = rest.length() > options.maxNewTokens();
            String text = cut ? rest.substring(0, options.maxNewTokens()) : rest;
            int[] ids = text.chars().toArray();
            float[] logProbs = new float[ids.length];
            List<TokenLogProb> tokens = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                logProbs[i] = -0.1f * (1 + (ids[i] % 3));
                tokens.add(TokenLogProb.of(String.valueOf(text.charAt(i)), logProbs[i]));
            }
            generatedTokens.addAndGet(ids.length);
            out.add(new Generation(text, ids, logProbs, prompt.length(),
                    cut ? Generation.FinishReason.MAX_NEW_TOKENS : Generation.FinishReason.END_OF_SEQUENCE, tokens));
        }
        return out;
    }

    /** What this row writes after {@code chain}: the rest of the current step, the steps after it, the answer. */
    private String remainder(String chain, long seed) {
        Matcher ends = STEP_END.matcher(chain);
        int done = 0;
        int lastEnd = 0;
        while (ends.find()) {
            done++;
            lastEnd = ends.end();
        }
        String partial = chain.substring(lastEnd);
        Random random = new Random(seed * 31 + done);
        StringBuilder text = new StringBuilder();
        for (int k = done; k < steps; k++) {
            int operand = k + 1;
            boolean wrong = random.nextDouble() < errorRate;
            text.append(' ').append(operand).append("*2=").append(operand * 2 + (wrong ? 1 : 0)).append('.');
        }
        Matcher results = RESULT.matcher(chain + text);
        String answer = "0";
        while (results.find()) {
            answer = results.group(1);
        }
        if (done <= steps) {
            text.append(" The answer is ").append(answer).append('.');
        }
        return text.substring(Math.min(partial.length(), text.length()));
    }

    @Override
    public String formatPrompt(String userText) {
        return "Q: " + userText + "\nA:";
    }

    @Override
    public float[] continuationLogProbs(String prompt, String continuation) {
        throw new UnsupportedOperationException("not used by the search");
    }

    @Override
    public float[] promptHiddenState(String prompt) {
        throw new UnsupportedOperationException("not used by the search");
    }

    @Override
    public int contextLength() {
        return 4096;
    }

    @Override
    public String modelId() {
        return "arithmetic-chain-fake";
    }

    @Override
    public void close() {
    }
}
