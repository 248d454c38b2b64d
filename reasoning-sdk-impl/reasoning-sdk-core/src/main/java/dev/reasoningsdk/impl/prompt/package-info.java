/**
 * Prompt optimisation. Plum's black-box metaheuristic search over phrase edits ({@link
 * dev.reasoningsdk.impl.prompt.HillClimbing}, {@link dev.reasoningsdk.impl.prompt.SimulatedAnnealing}, {@link
 * dev.reasoningsdk.impl.prompt.GeneticAlgorithm}, {@link dev.reasoningsdk.impl.prompt.GeneticAlgorithmWithCrossover},
 * {@link dev.reasoningsdk.impl.prompt.TabuSearch}, {@link dev.reasoningsdk.impl.prompt.HarmonySearch}) with its
 * default classification objective and an encoder zero-shot classifier to optimise offline; exemplar selection
 * ({@link dev.reasoningsdk.impl.prompt.ActivePrompt}, {@link dev.reasoningsdk.impl.prompt.AutomateCot}); reasoning
 * structures ({@link dev.reasoningsdk.impl.prompt.SelfDiscover}); and per-input decoding settings ({@link
 * dev.reasoningsdk.impl.prompt.HyperparameterAwareGeneration}).
 */
package dev.reasoningsdk.impl.prompt;
