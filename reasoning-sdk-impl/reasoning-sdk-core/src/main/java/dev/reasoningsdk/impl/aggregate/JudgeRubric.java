package dev.reasoningsdk.impl.aggregate;

/**
 * The system prompts of {@link LlmChainJudge}: the rubrics of Aggregation of Reasoning (Yin et al., 2024), in a
 * general and a mathematical variant. Local scoring compares chains that reached the same answer on logical
 * consistency (0-3), appropriateness of method (0-3), completeness and clarity (0-2) and application of knowledge
 * (0-2); global evaluation compares chains that reached different answers on validity of approach (0-3),
 * consistency of steps and answer (0-3), completeness and clarity (0-2) and application of knowledge (0-2). The math
 * variants add the common errors to look for. The wording is ours; the criteria and points are the paper's.
 */
public enum JudgeRubric {

    /** For questions of any kind (commonsense, symbolic, multiple choice). */
    GENERAL(localPrompt(""), globalPrompt("")),

    /** For mathematical word problems (GSM8K, SVAMP, AQuA): the rubrics plus a list of common errors. */
    MATH(localPrompt(Prompts.MATH_LOCAL_ERRORS), globalPrompt(Prompts.MATH_GLOBAL_ERRORS));

    private final String localSystemPrompt;
    private final String globalSystemPrompt;

    JudgeRubric(String localSystemPrompt, String globalSystemPrompt) {
        this.localSystemPrompt = localSystemPrompt;
        this.globalSystemPrompt = globalSystemPrompt;
    }

    /** The system prompt for local scoring (chains with the same answer). */
    public String localSystemPrompt() {
        return localSystemPrompt;
    }

    /** The system prompt for global evaluation (one chain per answer). */
    public String globalSystemPrompt() {
        return globalSystemPrompt;
    }

    private static String localPrompt(String errors) {
        return """
                You are a careful judge of reasoning. The reasoning chains you will see all reach the same final \
                answer; your task is to tell how sound and effective each chain's reasoning is. Score every chain \
                on four criteria:

                1. Logical consistency (0-3 points): does each step follow from the previous ones, without gaps \
                or contradictions?
                2. Appropriateness of method (0-3 points): is the approach suited to the problem and no more \
                complicated than it needs to be?
                3. Completeness and clarity (0-2 points): are all necessary steps shown, and is the chain easy to \
                follow?
                4. Application of knowledge (0-2 points): are the facts, formulas and rules used correct and \
                relevant?
                """ + errors + """

                For each chain, explain each criterion briefly and give its points, then add them up to a total \
                out of 10, like this:

                Chain N:
                1. Logical consistency: <explanation> Score: x/3
                2. Appropriateness of method: <explanation> Score: x/3
                3. Completeness and clarity: <explanation> Score: x/2
                4. Application of knowledge: <explanation> Score: x/2
                Chain N Total Score: X/10

                After all chains, rank them from best to worst by total score and say briefly why.
                """;
    }

    private static String globalPrompt(String errors) {
        return """
                You are a careful judge of reasoning. The reasoning chains you will see reach different final \
                answers, and at most one answer is right; your task is to tell which chain's reasoning is the most \
                valid, with the correctness of its answer foremost. Score every chain on four criteria:

                1. Validity of approach (0-3 points): does the method actually solve the problem as posed?
                2. Consistency of steps and answer (0-3 points): is every step correct, and does the final answer \
                follow from the steps without contradiction?
                3. Completeness and clarity (0-2 points): are all essential steps shown unambiguously from start to \
                finish?
                4. Application of knowledge (0-2 points): are the facts, formulas and rules used correct, precise \
                and relevant?
                """ + errors + """

                For each chain, explain each criterion briefly and give its points, then add them up to a total \
                out of 10, like this:

                Chain N:
                1. Validity of approach: <explanation> Score: x/3
                2. Consistency of steps and answer: <explanation> Score: x/3
                3. Completeness and clarity: <explanation> Score: x/2
                4. Application of knowledge: <explanation> Score: x/2
                Chain N Total Score: X/10

                After all chains, rank them from best to worst by total score, paying most attention to whether \
                each final answer is correct, and say which chain you believe reaches the correct answer and why.
                """;
    }

    /** The math variants' lists of common errors. */
    private static final class Prompts {
        static final String MATH_LOCAL_ERRORS = """

                These are mathematical solutions. Look in particular for these common errors:
                - an algebraic transformation that changes the value of an expression
                - a numerical calculation mistake
                - a misread or ignored condition of the problem
                - an unfounded assumption
                - a statement that contradicts an earlier step
                - content irrelevant to the problem
                """;
        static final String MATH_GLOBAL_ERRORS = MATH_LOCAL_ERRORS + """
                - a claim that cannot be checked against the problem statement
                - a result that contradicts plain facts (for example a negative count of indivisible things)
                - a conclusion that is unclear or does not answer the question
                """;

        private Prompts() {
        }
    }
}
