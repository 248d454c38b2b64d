package dev.reasoningsdk.impl.server;

import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.ArrayList;
import java.util.List;

/**
 * One choice of a completion: the generation's text cut at the first stop sequence, why it ended, and its tokens.
 *
 * @param index        the choice's index (sample {@code index} of the batch)
 * @param text         the content returned
 * @param finishReason OpenAI's {@code stop} (end of sequence or a stop sequence) or {@code length}
 * @param tokens       the tokens behind {@code text}, for {@code logprobs} (empty if the model reports none)
 * @param pieces       {@code text} split along {@code tokens} for streaming (one piece each), or the whole text in
 *                     one piece when the tokens' texts do not spell the generation's text
 */
record Choice(int index, String text, String finishReason, List<TokenLogProb> tokens, List<String> pieces) {

    static Choice of(int index, Generation generation, List<String> stop) {
        String full = generation.text();
        int cut = full.length();
        for (String sequence : stop) {
            int at = full.indexOf(sequence);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        String finish = cut < full.length() || generation.finishReason() == Generation.FinishReason.END_OF_SEQUENCE
                ? "stop" : "length";
        String text = full.substring(0, cut);
        List<TokenLogProb> tokens = generation.tokens();
        if (!spells(tokens, full)) {
            return new Choice(index, text, finish, tokens, List.of(text));
        }
        // Keep the tokens that contribute to the returned text; a token cut by the stop sequence keeps its figure.
        List<TokenLogProb> kept = new ArrayList<>();
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (TokenLogProb token : tokens) {
            if (start >= cut) {
                break;
            }
            int end = start + token.token().length();
            kept.add(token);
            pieces.add(full.substring(start, Math.min(end, cut)));
            start = end;
        }
        return new Choice(index, text, finish, kept, pieces);
    }

    private static boolean spells(List<TokenLogProb> tokens, String text) {
        if (tokens.isEmpty()) {
            return false;
        }
        StringBuilder spelled = new StringBuilder(text.length());
        for (TokenLogProb token : tokens) {
            spelled.append(token.token());
        }
        return spelled.toString().equals(text);
    }
}
