package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.OptimizationStep;
import dev.reasoningsdk.api.prompt.PromptObjective;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a metaheuristic prompt search: the machinery the six algorithms share. It scores candidates through an
 * evaluation cache (a prompt is never scored twice; a failed prompt is not retried), runs a batch's new evaluations
 * in parallel up to the configured concurrency, enforces the evaluation and wall-time budgets, patience and the
 * iteration limit, honours cancellation, reports progress, writes checkpoints and resumes from one, and records the
 * history and cost.
 *
 * <p>Decisions (which candidates, which to accept) are taken on the caller's thread from the seeded random source;
 * only scoring runs in parallel and results are used in candidate order, so a run is reproducible whatever the
 * concurrency. Not thread-safe: one thread drives a run.
 */
final class SearchRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SearchRun.class);

    private final String method;
    private final SearchSettings settings;
    private final RunOptions options;
    private final PromptObjective objective;
    private final SearchRandom random;
    private final Mutator mutator;
    private final Map<String, Double> scores = new HashMap<>();
    private final Map<String, Double> restored = new HashMap<>();
    private final List<Checkpoint.Entry> entries = new ArrayList<>();
    private final List<Step> history = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private ExecutorService pool;
    private Duration priorElapsed = Duration.ZERO;
    private Usage usage = Usage.NONE;
    private int evaluations;
    private int failed;
    /** Why the last failed evaluation failed (null when it threw nothing): what a failed start reports. */
    private Throwable lastFailure;
    private int iteration;
    private int sinceImprovement;
    private boolean improvedThisIteration;
    private StopReason stopReason;
    private Candidate.Scored initial;
    private Candidate.Scored best;

    SearchRun(String method, SearchSettings settings, RunOptions options, PromptObjective objective) {
        this.method = method;
        this.settings = settings;
        this.options = options;
        this.objective = objective;
        this.random = new SearchRandom(settings.seed());
        this.mutator = new Mutator(settings, random, cost -> usage = usage.plus(cost.withWallTime(Duration.ZERO)));
    }

    /**
     * Scores the initial prompt (resuming from the checkpoint file if one exists) and starts iteration 1.
     *
     * @throws ReasoningException if the initial prompt cannot be scored: with the objective's failure as its cause
     *                            and in its message, retryable when that failure is a retryable
     *                            {@code ReasoningException}
     */
    Candidate.Scored start(String initialPrompt) {
        options.checkpoint().filter(java.nio.file.Files::exists).ifPresent(file -> resume(file, initialPrompt));
        Candidate candidate = Candidate.initial(initialPrompt, settings.splitter());
        List<Candidate.Scored> scored = evaluate(List.of(candidate));
        if (scored.isEmpty()) {
            if (stopReason == StopReason.EVALUATION_BUDGET || stopReason == StopReason.TIME_BUDGET) {
                throw new BudgetExhaustedException("the " + (stopReason == StopReason.TIME_BUDGET ? "wall-time"
                        : "evaluation") + " budget ran out before the initial prompt was scored",
                        usage.withWallTime(elapsed()));
            }
            // The objective's own failure, so that the caller learns why (a model down, a bad score) and whether
            // trying again may help, without reading the log.
            throw new ReasoningException("the initial prompt could not be scored: " + (lastFailure == null
                    ? "the objective gave no score"
                    : lastFailure.getClass().getSimpleName() + ": " + lastFailure.getMessage()), lastFailure,
                    lastFailure instanceof ReasoningException failure && failure.isRetryable(),
                    usage.withWallTime(elapsed()));
        }
        initial = scored.get(0);
        best = initial;
        history.get(0).accepted = true;
        iteration = 1;
        improvedThisIteration = false;
        return initial;
    }

    private void resume(java.nio.file.Path file, String initialPrompt) {
        Checkpoint checkpoint = Checkpoint.read(file);
        if (!checkpoint.method().equals(method) || checkpoint.seed() != settings.seed()
                || !checkpoint.initialPrompt().equals(initialPrompt)) {
            throw new IllegalStateException("checkpoint " + file + " belongs to another run (" + checkpoint.method()
                    + ", seed " + checkpoint.seed() + "); delete it or use another file");
        }
        for (Checkpoint.Entry entry : checkpoint.evaluations()) {
            restored.put(entry.prompt(), entry.score() == null ? Double.NaN : entry.score());
        }
        Usage prior = checkpoint.usage();
        usage = prior.withWallTime(Duration.ZERO);
        priorElapsed = prior.wallTime();
        LOG.info("{}: resuming from {} with {} scored prompts", method, file, restored.size());
    }

    /** The run's random source. */
    SearchRandom random() {
        return random;
    }

    /** The run's edit operations. */
    Mutator mutator() {
        return mutator;
    }

    /** The settings. */
    SearchSettings settings() {
        return settings;
    }

    /** The current iteration, from 1. */
    int iteration() {
        return iteration;
    }

    /** Whether the run must stop: budget, time, patience, iterations or cancellation. */
    boolean stopped() {
        if (stopReason == null) {
            if (options.cancelled().getAsBoolean() || Thread.currentThread().isInterrupted()) {
                stopReason = StopReason.CANCELLED;
            } else if (settings.deadline().isPresent() && elapsed().compareTo(settings.deadline().get()) >= 0) {
                stopReason = StopReason.TIME_BUDGET;
            }
        }
        return stopReason != null;
    }

    /**
     * Scores {@code candidates} in order: cached prompts cost nothing, new ones are scored (in parallel) while the
     * budget lasts. Returns the candidates that have a score, in order; failed and unscored ones are left out.
     */
    List<Candidate.Scored> evaluate(List<Candidate> candidates) {
        Map<String, Candidate> fresh = new LinkedHashMap<>();
        List<Candidate> considered = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (stopped()) {
                break;
            }
            String prompt = candidate.prompt();
            if (!scores.containsKey(prompt) && !fresh.containsKey(prompt)) {
                if (evaluations >= settings.maxEvaluations() || usage.modelCalls() >= settings.maxCalls()) {
                    stopReason = StopReason.EVALUATION_BUDGET;
                    break;
                }
                evaluations++;
                fresh.put(prompt, candidate);
            }
            considered.add(candidate);
        }
        score(new ArrayList<>(fresh.values()));
        List<Candidate.Scored> scored = new ArrayList<>();
        for (Candidate candidate : considered) {
            Double score = scores.get(candidate.prompt());
            if (score != null && !score.isNaN()) {
                scored.add(new Candidate.Scored(candidate, score));
            }
        }
        return scored;
    }

    // Scores in candidate order. One at a time, the model-call budget is checked before every call; in parallel,
    // before every submission, so evaluations already in flight may overshoot it.
    private void score(List<Candidate> fresh) {
        if (options.evaluator().isPresent()) {
            scoreGeneration(fresh, options.evaluator().get());
            return;
        }
        boolean parallel = settings.concurrency() > 1 && fresh.size() > 1;
        List<Candidate> started = new ArrayList<>(fresh.size());
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(fresh.size());
        for (Candidate candidate : fresh) {
            Double known = restored.get(candidate.prompt());
            if (known == null && usage.modelCalls() >= settings.maxCalls()) {
                stopReason = StopReason.EVALUATION_BUDGET;
                break;
            }
            started.add(candidate);
            if (!parallel) {
                record(candidate, known != null ? new Outcome(known, Usage.NONE, null) : call(candidate.prompt()));
                futures.add(null);
            } else if (known != null) {
                futures.add(CompletableFuture.completedFuture(new Outcome(known, Usage.NONE, null)));
            } else {
                futures.add(CompletableFuture.supplyAsync(() -> call(candidate.prompt()), pool()));
            }
        }
        evaluations -= fresh.size() - started.size();
        for (int i = 0; i < started.size(); i++) {
            if (futures.get(i) != null) {
                record(started.get(i), futures.get(i).join());
            }
        }
    }

    // The whole generation in one call to the evaluator, budget checked as in the parallel path (before handing
    // over), outcomes recorded in candidate order.
    private void scoreGeneration(List<Candidate> fresh, CandidateEvaluator evaluator) {
        List<Candidate> started = new ArrayList<>(fresh.size());
        List<String> prompts = new ArrayList<>();
        for (Candidate candidate : fresh) {
            if (!restored.containsKey(candidate.prompt())) {
                if (usage.modelCalls() >= settings.maxCalls()) {
                    stopReason = StopReason.EVALUATION_BUDGET;
                    break;
                }
                prompts.add(candidate.prompt());
            }
            started.add(candidate);
        }
        evaluations -= fresh.size() - started.size();
        List<CandidateEvaluator.Outcome> outcomes;
        RuntimeException failure = null;
        try {
            outcomes = prompts.isEmpty() ? List.of() : evaluator.evaluate(prompts);
            if (outcomes.size() != prompts.size()) {
                throw new IllegalStateException("the evaluator returned " + outcomes.size() + " outcomes for "
                        + prompts.size() + " prompts");
            }
        } catch (RuntimeException e) {
            outcomes = null;
            failure = e;
        }
        int next = 0;
        for (Candidate candidate : started) {
            Double known = restored.get(candidate.prompt());
            if (known != null) {
                record(candidate, new Outcome(known, Usage.NONE, null));
            } else if (outcomes == null) {
                record(candidate, new Outcome(Double.NaN, Usage.NONE, failure));
                next++;
            } else {
                CandidateEvaluator.Outcome outcome = outcomes.get(next++);
                record(candidate, new Outcome(outcome.score(), outcome.usage(),
                        outcome.failure().map(ReasoningException::new).orElse(null)));
            }
        }
    }

    private Outcome call(String prompt) {
        try {
            PromptObjective.Evaluation evaluation = objective.evaluate(prompt);
            return new Outcome(evaluation.score(), evaluation.usage(), null);
        } catch (RuntimeException e) {
            // An objective that failed after calling a model says in its exception what the calls cost.
            return new Outcome(Double.NaN, e instanceof ReasoningException failed ? failed.usage() : Usage.NONE, e);
        }
    }

    private void record(Candidate candidate, Outcome outcome) {
        String prompt = candidate.prompt();
        scores.put(prompt, outcome.score());
        entries.add(new Checkpoint.Entry(prompt, Double.isNaN(outcome.score()) ? null : outcome.score()));
        usage = usage.plus(outcome.usage().withWallTime(Duration.ZERO));
        if (Double.isNaN(outcome.score())) {
            failed++;
            lastFailure = outcome.error();
            if (outcome.error() != null) {
                LOG.warn("{}: evaluation failed for a candidate ({}): {}", method, candidate.edit(),
                        outcome.error().toString());
            }
            return;
        }
        if (best == null || outcome.score() > best.score()) {
            best = new Candidate.Scored(candidate, outcome.score());
            improvedThisIteration = true;
        }
        Step step = new Step(iteration, prompt, candidate.edit(), outcome.score(), best.score());
        history.add(step);
        notifyListener(Optional.of(step.toStep()));
    }

    /** Marks a scored candidate as accepted (moved to, or kept in the population) in the history. */
    void accept(Candidate.Scored scored) {
        for (int i = history.size() - 1; i >= 0; i--) {
            Step step = history.get(i);
            if (step.prompt.equals(scored.prompt())) {
                step.accepted = true;
                return;
            }
        }
    }

    /** Ends the current iteration: patience, iteration limit, checkpoint and a progress event. */
    void endIteration() {
        sinceImprovement = improvedThisIteration ? 0 : sinceImprovement + 1;
        improvedThisIteration = false;
        if (stopReason == null && sinceImprovement >= settings.patience()) {
            stopReason = StopReason.PATIENCE;
        }
        if (stopReason == null && iteration >= settings.maxIterations()) {
            stopReason = StopReason.COMPLETED;
        }
        if (iteration % options.checkpointEvery() == 0) {
            writeCheckpoint();
        }
        notifyListener(Optional.empty());
        iteration++;
    }

    /** The best candidate scored so far. */
    Candidate.Scored best() {
        return best;
    }

    /** The result; writes a final checkpoint. */
    OptimizationResult result() {
        writeCheckpoint();
        List<OptimizationStep> steps = history.stream().map(Step::toStep).toList();
        StopReason reason = stopReason == null ? StopReason.COMPLETED : stopReason;
        return new OptimizationResult(method, initial.prompt(), initial.score(), best.prompt(), best.score(), steps,
                evaluations, failed, reason, usage.withWallTime(elapsed()));
    }

    private void writeCheckpoint() {
        options.checkpoint().ifPresent(file -> Checkpoint.of(method, settings.seed(), initial.prompt(),
                usage.withWallTime(elapsed()), mergedEntries()).write(file));
    }

    // Entries restored but not (yet) replayed are kept, so an interrupted resume loses nothing.
    private List<Checkpoint.Entry> mergedEntries() {
        List<Checkpoint.Entry> merged = new ArrayList<>(entries);
        for (Map.Entry<String, Double> entry : restored.entrySet()) {
            if (!scores.containsKey(entry.getKey())) {
                merged.add(new Checkpoint.Entry(entry.getKey(), entry.getValue().isNaN() ? null : entry.getValue()));
            }
        }
        return merged;
    }

    private void notifyListener(Optional<OptimizationStep> step) {
        try {
            options.listener().onProgress(new SearchProgress(method, iteration, evaluations,
                    settings.maxEvaluations(), best == null ? Double.NaN : best.score(), step));
        } catch (RuntimeException e) {
            LOG.warn("{}: progress listener failed: {}", method, e.toString());
        }
    }

    private Duration elapsed() {
        return priorElapsed.plusNanos(System.nanoTime() - startNanos);
    }

    private ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(settings.concurrency(), runnable -> {
                Thread thread = new Thread(runnable, "prompt-search-" + method);
                thread.setDaemon(true);
                return thread;
            });
        }
        return pool;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private record Outcome(double score, Usage usage, RuntimeException error) {
    }

    private static final class Step {
        private final int iteration;
        private final String prompt;
        private final String edit;
        private final double score;
        private final double bestScore;
        private boolean accepted;

        Step(int iteration, String prompt, String edit, double score, double bestScore) {
            this.iteration = iteration;
            this.prompt = prompt;
            this.edit = edit;
            this.score = score;
            this.bestScore = bestScore;
        }

        OptimizationStep toStep() {
            return new OptimizationStep(iteration, prompt, edit, score, bestScore, accepted);
        }
    }
}
