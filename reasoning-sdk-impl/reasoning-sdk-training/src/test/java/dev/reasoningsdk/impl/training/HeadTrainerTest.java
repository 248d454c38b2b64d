package dev.reasoningsdk.impl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import dev.reasoningsdk.impl.retrieval.*;
import dev.reasoningsdk.impl.retrieval.FakeEncoder;
import dev.reasoningsdk.impl.retrieval.HeadFixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadTrainerTest {

    private static final HeadTrainer.DataRecord DATA = new HeadTrainer.DataRecord("synthetic", "00", "text", "label");

    /** Two Gaussian clouds in 8 dimensions, separated along the first axis. */
    private static List<float[]> clouds(int n, List<Boolean> labels, long seed) {
        Random random = new Random(seed);
        List<float[]> features = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = i % 3 != 0;
            float[] x = new float[8];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) random.nextGaussian();
            }
            x[0] += positive ? 4 : -4;
            features.add(x);
            labels.add(positive);
        }
        return features;
    }

    @Test
    void learnsASeparableSetAndRecordsHeldOutFigures() {
        List<Boolean> labels = new ArrayList<>();
        List<float[]> features = clouds(300, labels, 1);

        LinearHead head = HeadTrainer.create().train(CriterionKind.TIME, "m@1", features, labels, DATA);

        HeadProvenance provenance = head.provenance();
        assertThat(provenance.heldOutRows()).isEqualTo(60);
        assertThat(provenance.trainRows()).isEqualTo(240);
        assertThat(provenance.heldOut().accuracy()).isGreaterThanOrEqualTo(0.98);
        assertThat(provenance.heldOut().auroc()).isGreaterThanOrEqualTo(0.99);
        assertThat(provenance.heldOut().majorityAccuracy()).isLessThan(0.8);
        float[] positive = new float[8];
        positive[0] = 4;
        float[] negative = new float[8];
        negative[0] = -4;
        assertThat(head.probability(positive)).isGreaterThan(0.9);
        assertThat(head.probability(negative)).isLessThan(0.1);
    }

    @Test
    void theSameSeedGivesTheSameHeadAndTheHeldOutRowsAreReproducible() {
        List<Boolean> labels = new ArrayList<>();
        List<float[]> features = clouds(100, labels, 2);
        HeadTrainer trainer = HeadTrainer.builder().seed(7).build();

        LinearHead first = trainer.train(CriterionKind.TIME, "m@1", features, labels, DATA);
        LinearHead second = trainer.train(CriterionKind.TIME, "m@1", features, labels, DATA);

        assertThat(first.toJson()).isEqualTo(second.toJson());
        int[] heldOut = HeadTrainer.heldOutIndices(labels, 7, 0.2);
        assertThat(heldOut).hasSize(20).isSorted().isEqualTo(HeadTrainer.heldOutIndices(labels, 7, 0.2))
                .isNotEqualTo(HeadTrainer.heldOutIndices(labels, 8, 0.2));
        // stratified: a third of the rows are negative, so are a third of the held-out rows (rounded per class)
        assertThat(java.util.Arrays.stream(heldOut).filter(i -> !labels.get(i)).count()).isEqualTo(7);
    }

    @Test
    void refusesDataWithOneClass() {
        List<float[]> features = List.of(new float[] {1}, new float[] {2}, new float[] {3}, new float[] {4},
                new float[] {5}, new float[] {6});
        List<Boolean> labels = List.of(true, true, true, true, true, true);

        assertThatThrownBy(() -> HeadTrainer.create().train(CriterionKind.TIME, "m", features, labels, DATA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two rows of each class");
    }

    @Test
    void trainsFromJsonlThroughAnEncoderAndTheHeadSurvivesSaveAndLoad(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("rows.jsonl");
        List<String> lines = new ArrayList<>();
        String[] live = {"latest news today", "current price now", "today weather latest", "news now current"};
        String[] still = {"rewrite this poem", "sort these words", "solve this equation", "translate this poem"};
        for (int i = 0; i < 40; i++) {
            lines.add("{\"q\": \"" + live[i % 4] + " " + i + "\", \"ts\": true}");
            lines.add("{\"q\": \"" + still[i % 4] + " " + i + "\", \"ts\": false}");
        }
        lines.add("{\"q\": \"unlabelled\", \"ts\": null}");
        Files.write(data, lines);
        FakeEncoder encoder = new FakeEncoder();

        LinearHead head = HeadTrainer.create().trainOnEncoder(CriterionKind.TIME, encoder, data, "rows.jsonl",
                "q", "ts");
        Path saved = dir.resolve("out/time-head.json");
        head.save(saved);
        LinearHead loaded = LinearHead.read(saved);

        assertThat(loaded.provenance()).isEqualTo(head.provenance());
        assertThat(loaded.provenance().rows()).isEqualTo(80);
        assertThat(loaded.provenance().dataSha256()).isEqualTo(LabelledText.sha256(data)).hasSize(64);
        EncoderHeadCriterion criterion = EncoderHeadCriterion.of(encoder, loaded);
        CriterionResult result = criterion.evaluate("latest news today");
        assertThat(result.probability()).isGreaterThan(0.8);
        assertThat(criterion.evaluate("rewrite this poem").probability()).isLessThan(0.2);
        assertThat(result.evidence()).startsWith("head ");
    }

    /** Noisy rows: a live word marks most positives, and a tenth of the labels are flipped. */
    private static List<String> noisyTimeRows(int n, long seed) {
        Random random = new Random(seed);
        String[] live = {"current", "latest", "now", "today"};
        String[] still = {"painted", "invented", "wrote", "discovered"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = random.nextBoolean();
            String word = positive ? live[random.nextInt(4)] : still[random.nextInt(4)];
            boolean label = random.nextDouble() < 0.1 ? !positive : positive;
            lines.add("{\"q\": \"who " + word + " thing " + random.nextInt(50) + "\", \"ts\": " + label + "}");
        }
        return lines;
    }

    @Test
    void lexicalSelectionNeverReadsTheHeldOutRows(@TempDir Path dir) throws IOException {
        List<String> lines = noisyTimeRows(120, 3);
        Path data = Files.write(dir.resolve("rows.jsonl"), lines);
        HeadTrainer trainer = HeadTrainer.create();
        List<Boolean> labels = LabelledText.readJsonl(data, "q", "ts").stream().map(LabelledText::label).toList();
        // Same labels, so the same stratified held-out rows; their texts replaced by words no other row has.
        List<String> replaced = new ArrayList<>(lines);
        for (int index : HeadTrainer.heldOutIndices(labels, 42, 0.2)) {
            replaced.set(index, "{\"q\": \"zebra quartz " + index + "\", \"ts\": " + labels.get(index) + "}");
        }
        Path replacedData = Files.write(dir.resolve("replaced.jsonl"), replaced);

        List<HeadTrainer.FeatureSpec> candidates = List.of(HeadTrainer.FeatureSpec.parse("0"),
                HeadTrainer.FeatureSpec.parse("16"), HeadTrainer.FeatureSpec.parse("v2"),
                HeadTrainer.FeatureSpec.parse("v2+layer1"));
        HeadTrainer.FeatureSelection selection = trainer.selectFeatures(CriterionKind.TIME,
                new FakeEncoder(), data, "q", "ts", candidates, 5, 2);
        HeadTrainer.FeatureSelection withReplacedHeldOut = trainer.selectFeatures(CriterionKind.TIME,
                new FakeEncoder(), replacedData, "q", "ts", candidates, 5, 2);

        assertThat(withReplacedHeldOut).isEqualTo(selection);
        assertThat(selection.accuracyPerRepeat().keySet()).containsExactlyElementsOf(candidates);
        assertThat(selection.accuracyPerRepeat().get(candidates.get(0))).hasSize(2).allSatisfy(
                accuracy -> assertThat(accuracy).isBetween(0.6, 1.0));
        assertThat(selection.best()).isIn(candidates);
        for (HeadTrainer.FeatureSpec candidate : candidates) {
            assertThat(selection.meanAccuracy(selection.best())).isGreaterThanOrEqualTo(selection.meanAccuracy(candidate));
        }
    }

    @Test
    void lexicalSelectionBreaksTiesTowardTheEarlierCandidate() {
        HeadTrainer.FeatureSpec hashed = HeadTrainer.FeatureSpec.parse("512");
        HeadTrainer.FeatureSpec vocabulary = HeadTrainer.FeatureSpec.parse("v2");
        Map<HeadTrainer.FeatureSpec, List<Double>> accuracies = new LinkedHashMap<>();
        accuracies.put(hashed, List.of(0.7, 0.8));
        accuracies.put(vocabulary, List.of(0.8, 0.7));
        HeadTrainer.FeatureSelection tie = new HeadTrainer.FeatureSelection(accuracies);
        assertThat(tie.best()).isEqualTo(hashed);
        assertThatThrownBy(() -> tie.meanAccuracy(HeadTrainer.FeatureSpec.parse("64")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64");
    }

    @Test
    void lexicalSpecsParseAndPrintAsOnTheCommandLine() {
        assertThat(HeadTrainer.LexicalSpec.parse("0")).isEqualTo(HeadTrainer.LexicalSpec.none());
        assertThat(HeadTrainer.LexicalSpec.parse("128")).isEqualTo(HeadTrainer.LexicalSpec.hashed(128));
        assertThat(HeadTrainer.LexicalSpec.parse("v2")).isEqualTo(HeadTrainer.LexicalSpec.vocabulary(2));
        assertThat(HeadTrainer.LexicalSpec.vocabulary(3).toString()).isEqualTo("v3");
        assertThat(HeadTrainer.LexicalSpec.hashed(64).toString()).isEqualTo("64");
        for (String bad : List.of("x", "v", "-1", "v0")) {
            assertThatThrownBy(() -> HeadTrainer.LexicalSpec.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new HeadTrainer.LexicalSpec(8, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void featureSpecsParseAndPrintAsOnTheCommandLine() {
        HeadTrainer.FeatureSpec both = HeadTrainer.FeatureSpec.parse("v2+layer2");
        assertThat(both.pooledLayers()).containsExactly(2);
        assertThat(both.lexical()).isEqualTo(HeadTrainer.LexicalSpec.vocabulary(2));
        assertThat(both).hasToString("v2+layer2");
        HeadTrainer.FeatureSpec layers = HeadTrainer.FeatureSpec.parse("layer4+layer2");
        assertThat(layers.pooledLayers()).containsExactly(2, 4);
        assertThat(layers.lexical()).isEqualTo(HeadTrainer.LexicalSpec.none());
        assertThat(layers).hasToString("layer2+layer4").isEqualTo(HeadTrainer.FeatureSpec.parse("layer2+layer4"));
        assertThat(HeadTrainer.FeatureSpec.parse("0")).hasToString("0")
                .isEqualTo(HeadTrainer.FeatureSpec.of(HeadTrainer.LexicalSpec.none()));
        assertThat(HeadTrainer.FeatureSpec.parse("128")).hasToString("128");
        for (String bad : List.of("layerx", "layer", "v2+128", "layer-1", "layer2+layer2", "v2+", "")) {
            assertThatThrownBy(() -> HeadTrainer.FeatureSpec.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aNewtonStepThroughTheRowsEqualsTheDirectOne() {
        Random random = new Random(3);
        for (int trial = 0; trial < 5; trial++) {
            int n = 6 + trial;
            int d = 20 + 3 * trial;
            double[][] z = new double[n][d + 1];
            double[] curvature = new double[n];
            double[] gradient = new double[d + 1];
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < d; a++) {
                    z[i][a] = random.nextGaussian();
                }
                z[i][d] = 1;
                curvature[i] = 0.01 + random.nextDouble() / n;
            }
            for (int a = 0; a <= d; a++) {
                gradient[a] = random.nextGaussian();
            }
            double l2 = 0.05 + random.nextDouble();
            double[] direct = LogisticRegression.newtonStep(z, curvature, gradient, l2);
            double[] throughRows = LogisticRegression.newtonStepThroughRows(z, curvature, gradient, l2,
                    LogisticRegression.gram(z, d));
            for (int a = 0; a <= d; a++) {
                assertThat(throughRows[a]).as("trial %d, coordinate %d", trial, a)
                        .isCloseTo(direct[a], org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(direct[a]))));
            }
        }
    }

    @Test
    void aHeadWithPooledLayersReadsThemFromOnePassAndKeepsThemOnDisk(@TempDir Path dir) throws IOException {
        Path data = Files.write(dir.resolve("rows.jsonl"), noisyTimeRows(120, 9));
        FakeEncoder encoder = new FakeEncoder();
        LinearHead head = HeadTrainer.builder().features(HeadTrainer.FeatureSpec.parse("v2+layer3+layer1")).build()
                .trainOnEncoder(CriterionKind.TIME, encoder, data, "rows.jsonl", "q", "ts");
        head.save(dir.resolve("head.json"));
        LinearHead loaded = LinearHead.read(dir.resolve("head.json"));

        assertThat(loaded.pooledLayers()).containsExactly(1, 3);
        String json = Files.readString(dir.resolve("head.json"));
        assertThat(json).contains("\"version\" : 2");
        Path asVersion1 = Files.writeString(dir.resolve("v1.json"), json.replace("\"version\" : 2", "\"version\" : 1"));
        assertThatThrownBy(() -> LinearHead.read(asVersion1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pooledLayers needs head file version 2");
        assertThat(loaded.dimension()).isEqualTo(3 * encoder.dimension() + head.lexicalFeatures());
        var encoded = encoder.encodeAll(List.of("Who is the current one?"), java.util.Set.of(1, 3)).get(0);
        float[] features = loaded.features(encoded, "Who is the current one?");
        assertThat(java.util.Arrays.copyOfRange(features, 0, encoder.dimension())).containsExactly(encoded.embedding());
        assertThat(java.util.Arrays.copyOfRange(features, encoder.dimension(), 2 * encoder.dimension()))
                .containsExactly(encoded.layerMean(1));
        assertThat(java.util.Arrays.copyOfRange(features, 2 * encoder.dimension(), 3 * encoder.dimension()))
                .containsExactly(encoded.layerMean(3));
        assertThat(loaded.probability(features)).isEqualTo(head.probability(features));
        assertThatThrownBy(() -> loaded.features(encoded.embedding(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pooled layers [1, 3]");
        assertThatThrownBy(() -> loaded.features(encoder.encodeAll(List.of("x"), java.util.Set.of(1)).get(0), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 3 was not pooled");

        EncoderHeadCriterion criterion = EncoderHeadCriterion.of(encoder, loaded);
        assertThat(criterion.pooledLayers()).containsExactlyInAnyOrder(1, 3);
        assertThat(criterion.evaluate("Who is the current one?").probability())
                .isEqualTo(loaded.probability(features));
        assertThatThrownBy(() -> EncoderHeadCriterion.of(new FakeEncoder() {
            @Override
            public int poolableLayers() {
                return 3;
            }
        }, loaded)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pools layers up to 2");
        SentenceEncoder withoutLayers = new SentenceEncoder() {
            @Override
            public List<float[]> embedAll(List<String> sentences) {
                return encoder.embedAll(sentences);
            }

            @Override
            public int dimension() {
                return encoder.dimension();
            }

            @Override
            public String modelId() {
                return encoder.modelId();
            }
        };
        assertThatThrownBy(() -> EncoderHeadCriterion.of(withoutLayers, loaded))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pools no layers");
        assertThatThrownBy(() -> withoutLayers.encodeAll(List.of("x"), java.util.Set.of(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pools no layers");
    }

    @Test
    void aVocabularyHeadKeepsItsNgramsTakenFromTrainingRowsOnly(@TempDir Path dir) throws IOException {
        List<String> lines = noisyTimeRows(120, 7);
        Path data = Files.write(dir.resolve("rows.jsonl"), lines);
        List<Boolean> labels = LabelledText.readJsonl(data, "q", "ts").stream().map(LabelledText::label).toList();
        List<String> marked = new ArrayList<>(lines);
        for (int index : HeadTrainer.heldOutIndices(labels, 42, 0.2)) {
            marked.set(index, "{\"q\": \"zebra quartz " + index + "\", \"ts\": " + labels.get(index) + "}");
        }
        Files.write(data, marked);
        FakeEncoder encoder = new FakeEncoder();

        LinearHead head = HeadTrainer.builder().lexicalFeatures(HeadTrainer.LexicalSpec.vocabulary(2)).build()
                .trainOnEncoder(CriterionKind.TIME, encoder, data, "rows.jsonl", "q", "ts");
        head.save(dir.resolve("head.json"));
        LinearHead loaded = LinearHead.read(dir.resolve("head.json"));

        assertThat(head.lexicalVocabulary()).contains("current", "who").doesNotContain("zebra", "quartz");
        assertThat(head.lexicalFeatures()).isEqualTo(head.lexicalVocabulary().size());
        assertThat(loaded.lexicalVocabulary()).isEqualTo(head.lexicalVocabulary());
        assertThat(loaded.dimension()).isEqualTo(encoder.dimension() + head.lexicalFeatures());
        float[] features = loaded.features(new float[encoder.dimension()], "Who is the CURRENT one?");
        assertThat(features[encoder.dimension() + head.lexicalVocabulary().indexOf("current")]).isEqualTo(1);
        assertThat(features[encoder.dimension() + head.lexicalVocabulary().indexOf("thing")]).isZero();
        assertThat(loaded.probability(features)).isEqualTo(head.probability(features));
    }

    @Test
    void lexicalSelectionRefusesBadSettings(@TempDir Path dir) throws IOException {
        Path data = Files.write(dir.resolve("rows.jsonl"), noisyTimeRows(40, 5));
        HeadTrainer trainer = HeadTrainer.create();
        FakeEncoder encoder = new FakeEncoder();
        List<HeadTrainer.FeatureSpec> none = List.of(HeadTrainer.FeatureSpec.parse("0"));
        assertThatThrownBy(() -> trainer.selectFeatures(CriterionKind.TIME, encoder, data, "q", "ts",
                List.of(), 5, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no features");
        assertThatThrownBy(() -> trainer.selectFeatures(CriterionKind.TIME, encoder, data, "q", "ts",
                none, 1, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("folds");
        assertThatThrownBy(() -> trainer.selectFeatures(CriterionKind.TIME, encoder, data, "q", "ts",
                none, 40, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fewer than 40 folds");
        assertThatThrownBy(() -> trainer.selectFeatures(CriterionKind.TIME, encoder, data, "q", "ts",
                List.of(HeadTrainer.FeatureSpec.parse("v1000")), 5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000 or more");
    }

    @Test
    void lexicalFeaturesFollowTheEmbeddingAndSurviveSaveAndLoad(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("rows.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            lines.add("{\"q\": \"who is the current champion " + i + "\", \"ts\": true}");
            lines.add("{\"q\": \"who painted the mona lisa " + i + "\", \"ts\": false}");
        }
        Files.write(data, lines);
        FakeEncoder encoder = new FakeEncoder();

        LinearHead head = HeadTrainer.builder().lexicalFeatures(64).build()
                .trainOnEncoder(CriterionKind.TIME, encoder, data, "rows.jsonl", "q", "ts");
        head.save(dir.resolve("head.json"));
        LinearHead loaded = LinearHead.read(dir.resolve("head.json"));

        assertThat(loaded.lexicalFeatures()).isEqualTo(64);
        assertThat(loaded.dimension()).isEqualTo(encoder.dimension() + 64);
        assertThat(loaded.features(new float[encoder.dimension()], "current champion")).hasSize(96);
        EncoderHeadCriterion criterion = EncoderHeadCriterion.of(encoder, loaded);
        assertThat(criterion.evaluate("who is the current champion").probability()).isGreaterThan(0.8);
        assertThat(criterion.evaluate("who painted the mona lisa").probability()).isLessThan(0.2);
        assertThatThrownBy(() -> EncoderHeadCriterion.of(new FakeEncoder("fake-encoder@1", 96), loaded))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHeadRefusesAnotherEncoder() {
        FakeEncoder trainedOn = new FakeEncoder("encoder-a@1", 32);
        LinearHead head = HeadFixtures.constantHead(CriterionKind.INTENT, trainedOn, 0);

        assertThatThrownBy(() -> EncoderHeadCriterion.of(new FakeEncoder("encoder-b@2", 32), head))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encoder-a@1").hasMessageContaining("encoder-b@2");
        assertThatThrownBy(() -> EncoderHeadCriterion.of(new FakeEncoder("encoder-a@1", 16), head))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16");
    }

    @Test
    void refusesMalformedHeadFiles() {
        assertThatThrownBy(() -> read("{\"format\": \"something-else\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a head file");
        LinearHead head = HeadFixtures.constantHead(CriterionKind.TIME, new FakeEncoder(), 0);
        String json = head.toJson().put("dimension", 3).toString();
        assertThatThrownBy(() -> read(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dimension");
        String nanBias = head.toJson().put("bias", "x").toString();
        assertThatThrownBy(() -> read(nanBias)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bias");
    }

    private static LinearHead read(String json) throws IOException {
        return LinearHead.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readingJsonlNamesTheBadLine(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("bad.jsonl");
        Files.write(data, List.of("{\"q\": \"a\", \"y\": true}", "{\"q\": \"b\", \"y\": \"yes\"}"));

        assertThatThrownBy(() -> LabelledText.readJsonl(data, "q", "y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.jsonl:2");
        assertThatThrownBy(() -> LabelledText.readJsonl(data, "text", "y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no text field 'text'");
    }
}
