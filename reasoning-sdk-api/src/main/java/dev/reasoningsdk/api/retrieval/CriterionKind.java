package dev.reasoningsdk.api.retrieval;

/** The four UAR criteria, in their decision order. */
public enum CriterionKind {
    /** The user explicitly asks for retrieval, search, sources or live information. Fires: retrieve. */
    INTENT,
    /** The request needs world knowledge (not a self-contained task). Not firing: no retrieval. */
    KNOWLEDGE,
    /** The answer depends on when it is asked. Fires: retrieve. */
    TIME,
    /** The answering model already knows the answer. Fires: no retrieval; otherwise retrieve. */
    SELF_KNOWLEDGE
}
