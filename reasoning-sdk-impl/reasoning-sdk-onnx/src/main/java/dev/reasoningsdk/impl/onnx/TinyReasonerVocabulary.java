package dev.reasoningsdk.impl.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The tiny reasoner's character-level vocabulary: one token per character, plus the special tokens {@code <pad>},
 * {@code <bos>} and {@code <eos>}. Read from the model's {@code vocab} metadata (a JSON object mapping id to
 * character), so a re-trained model with another character set needs no code change.
 *
 * <p>Immutable and thread-safe.
 */
public final class TinyReasonerVocabulary {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String[] tokens;
    private final int[] idByChar;
    private final int padId;
    private final int bosId;
    private final int eosId;

    private TinyReasonerVocabulary(String[] tokens, int padId, int bosId, int eosId) {
        this.tokens = tokens;
        this.padId = checkId(padId, tokens.length, "padId");
        this.bosId = checkId(bosId, tokens.length, "bosId");
        this.eosId = checkId(eosId, tokens.length, "eosId");
        this.idByChar = new int[Character.MAX_VALUE + 1];
        Arrays.fill(idByChar, -1);
        for (int id = 0; id < tokens.length; id++) {
            if (id == padId || id == bosId || id == eosId) {
                continue;
            }
            String token = tokens[id];
            if (token.length() != 1) {
                throw new IllegalArgumentException("token " + id + " is not one character: '" + token + "'");
            }
            if (idByChar[token.charAt(0)] >= 0) {
                throw new IllegalArgumentException("character '" + token + "' appears twice in the vocabulary");
            }
            idByChar[token.charAt(0)] = id;
        }
    }

    /**
     * Builds the vocabulary from the model's metadata: {@code vocab} (JSON id to token) and {@code pad_id},
     * {@code bos_id}, {@code eos_id}.
     *
     * @throws IllegalArgumentException if a key is missing or the vocabulary is malformed (ids not 0..n-1,
     *                                  a non-special token that is not a single character, a duplicate character)
     */
    public static TinyReasonerVocabulary fromMetadata(Map<String, String> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        return fromJson(required(metadata, "vocab"), parseId(metadata, "pad_id"), parseId(metadata, "bos_id"),
                parseId(metadata, "eos_id"));
    }

    /**
     * Builds the vocabulary from a JSON object mapping each id (as a string) to its token.
     *
     * @throws IllegalArgumentException if the JSON is malformed or the ids are not exactly 0..n-1
     */
    public static TinyReasonerVocabulary fromJson(String vocabJson, int padId, int bosId, int eosId) {
        Objects.requireNonNull(vocabJson, "vocabJson");
        Map<String, String> byId;
        try {
            byId = JSON.readValue(vocabJson, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("vocab is not a JSON object of id -> token: " + e.getOriginalMessage(),
                    e);
        }
        String[] tokens = new String[byId.size()];
        for (Map.Entry<String, String> entry : byId.entrySet()) {
            int id;
            try {
                id = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("vocab id is not an integer: '" + entry.getKey() + "'", e);
            }
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new IllegalArgumentException("vocab ids must be exactly 0.." + (tokens.length - 1)
                        + ", found " + id);
            }
            tokens[id] = Objects.requireNonNull(entry.getValue(), "token " + id);
        }
        return new TinyReasonerVocabulary(tokens, padId, bosId, eosId);
    }

    /**
     * One token per character of {@code text}.
     *
     * @throws IllegalArgumentException naming the first character (and its position) that is not in the vocabulary
     */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            char c = text.charAt(i);
            int id = idByChar[c];
            if (id < 0) {
                throw new IllegalArgumentException(String.format(
                        "character '%s' (U+%04X) at index %d is not in the tiny reasoner's vocabulary"
                                + " (printable ASCII and newline)", c, (int) c, i));
            }
            ids[i] = id;
        }
        return ids;
    }

    /** {@code <bos>} followed by one token per character of {@code prompt}: the model's input for a prompt. */
    public int[] encodeWithBos(String prompt) {
        int[] body = encode(prompt);
        int[] ids = new int[body.length + 1];
        ids[0] = bosId;
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    /**
     * The text of {@code ids}; the special tokens ({@code <pad>}, {@code <bos>}, {@code <eos>}) are skipped.
     *
     * @throws IllegalArgumentException if an id is outside the vocabulary
     */
    public String decode(int[] ids) {
        Objects.requireNonNull(ids, "ids");
        StringBuilder text = new StringBuilder(ids.length);
        for (int id : ids) {
            checkId(id, tokens.length, "token id");
            if (!isSpecial(id)) {
                text.append(tokens[id]);
            }
        }
        return text.toString();
    }

    /** Whether every character of {@code text} has a token. */
    public boolean canEncode(String text) {
        return text.chars().allMatch(c -> idByChar[c] >= 0);
    }

    /** The token of {@code id} as the model card writes it (e.g. {@code "<eos>"} or {@code "7"}). */
    public String token(int id) {
        return tokens[checkId(id, tokens.length, "token id")];
    }

    /** Whether {@code id} is {@code <pad>}, {@code <bos>} or {@code <eos>}. */
    public boolean isSpecial(int id) {
        return id == padId || id == bosId || id == eosId;
    }

    /** The number of tokens, specials included. */
    public int size() {
        return tokens.length;
    }

    /** The padding token's id. */
    public int padId() {
        return padId;
    }

    /** The beginning-of-sequence token's id. */
    public int bosId() {
        return bosId;
    }

    /** The end-of-sequence token's id. */
    public int eosId() {
        return eosId;
    }

    private static String required(Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new IllegalArgumentException("model metadata has no '" + key + "' entry");
        }
        return value;
    }

    private static int parseId(Map<String, String> metadata, String key) {
        String value = required(metadata, key);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("model metadata '" + key + "' is not an integer: '" + value + "'", e);
        }
    }

    private static int checkId(int id, int size, String what) {
        if (id < 0 || id >= size) {
            throw new IllegalArgumentException(what + " " + id + " is outside the vocabulary of " + size + " tokens");
        }
        return id;
    }
}
