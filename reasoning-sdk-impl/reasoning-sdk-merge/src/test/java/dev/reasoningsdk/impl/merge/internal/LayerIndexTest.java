package dev.reasoningsdk.impl.merge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Layer indices from the tensor names of common Hugging Face architectures. BERT's {@code encoder.layer.N} and T5's
 * {@code block.N} used to carry no layer, so a per-layer gradient gave every tensor of such a model the
 * outside-layer value, and HMA's layer groups merged it as one group.
 */
class LayerIndexTest {

    @ParameterizedTest
    @CsvSource({
            "model.layers.17.self_attn.q_proj.weight, 17",
            "bert.encoder.layer.11.attention.self.query.weight, 11",
            "encoder.layer.3.output.dense.bias, 3",
            "distilbert.transformer.layer.5.ffn.lin1.weight, 5",
            "encoder.block.2.layer.1.DenseReluDense.wi.weight, 2",
            "gpt_neox.layers.4.mlp.dense_h_to_4h.weight, 4",
            "transformer.h.9.attn.c_attn.weight, 9",
            "m.blocks.0.ln1.weight, 0",
            "bert.embeddings.LayerNorm.weight, -1",
            "encoder.final_layer_norm.weight, -1",
            "model.layer_norm.weight, -1",
            "lm_head.weight, -1"})
    void findsTheLayerOfCommonArchitecturesNames(String name, int layer) {
        assertThat(LayerIndex.of(name)).isEqualTo(layer);
    }

    /** mergekit reads a gradient at its start for the embeddings and at its end for what follows the layers. */
    @ParameterizedTest
    @CsvSource({
            "model.layers.3.mlp.up_proj.weight, 3",
            "model.embed_tokens.weight, -1",
            "gpt_neox.embed_in.weight, -1",
            "bert.embeddings.LayerNorm.weight, -1",
            "transformer.word_embeddings_layernorm.weight, -1",
            "transformer.wte.weight, -1",
            "transformer.wpe.weight, -1",
            "shared.weight, -1",
            "m.emb.weight, -1",
            "model.norm.weight, -2",
            "lm_head.weight, -2",
            "embed_out.weight, -2",
            "transformer.ln_f.weight, -2",
            "bert.pooler.dense.weight, -2"})
    void placesTensorsOutsideTheLayersBeforeOrAfterThem(String name, int layer) {
        assertThat(LayerIndex.forSchedule(name)).isEqualTo(layer);
    }

    @ParameterizedTest
    @CsvSource({"bert.encoder.layer.11.output.dense.weight, 12", "encoder.block.5.layer.0.SelfAttention.q.weight, 6"})
    void countsLayersFromTheLargestIndex(String last, int count) {
        assertThat(LayerIndex.count(List.of("embeddings.weight", last))).isEqualTo(count);
    }
}
