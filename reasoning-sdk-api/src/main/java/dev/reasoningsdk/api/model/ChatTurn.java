package dev.reasoningsdk.api.model;

import java.util.Objects;

/**
 * One turn of a conversation, as {@link CausalLanguageModel#formatConversation} renders it into a prompt.
 *
 * @param role who speaks
 * @param text what was said
 */
public record ChatTurn(Role role, String text) {

    /** @throws NullPointerException if a component is null */
    public ChatTurn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(text, "text");
    }

    /** A system turn. */
    public static ChatTurn system(String text) {
        return new ChatTurn(Role.SYSTEM, text);
    }

    /** A user turn. */
    public static ChatTurn user(String text) {
        return new ChatTurn(Role.USER, text);
    }

    /** An assistant turn. */
    public static ChatTurn assistant(String text) {
        return new ChatTurn(Role.ASSISTANT, text);
    }

    /** Who speaks in a turn. */
    public enum Role {
        /** Instructions before the conversation. */
        SYSTEM,
        /** The user. */
        USER,
        /** The model. */
        ASSISTANT
    }
}
