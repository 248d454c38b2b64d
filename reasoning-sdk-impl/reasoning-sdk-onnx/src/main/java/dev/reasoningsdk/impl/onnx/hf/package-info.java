/**
 * Hugging Face models exported to ONNX (Optimum's decoder-with-past layout) as local models: the export folder's
 * config, generation config, tokenizer and chat template, loaded and checked at once, and a
 * {@link dev.reasoningsdk.api.model.CausalLanguageModel} over the graph. See {@code docs/local-models.md}.
 */
package dev.reasoningsdk.impl.onnx.hf;
