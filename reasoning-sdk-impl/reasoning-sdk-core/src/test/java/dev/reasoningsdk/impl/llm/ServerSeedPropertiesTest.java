package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** {@link SampleRequestParameters#serverSeed}: what a served model is sent for the SDK's seeds. */
class ServerSeedPropertiesTest {

    @Property
    void everySeedIsSentAsANonNegativeInteger(@ForAll long seed) {
        // Negative seeds mean "random" to OpenAI, vLLM, llama.cpp (-1) and Ollama (any): a seeded run would not repeat.
        assertThat(SampleRequestParameters.serverSeed(seed)).isNotNegative();
    }

    @Property
    void aSmallSeedIsSentAsItIs(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int seed) {
        assertThat(SampleRequestParameters.serverSeed(seed)).isEqualTo(seed);
    }

    @Property
    void seedsTwoToTheThirtyTwoApartStillDiffer(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        assertThat(SampleRequestParameters.serverSeed(seed + (1L << 32)))
                .isNotEqualTo(SampleRequestParameters.serverSeed(seed));
    }

    @Property
    void aBatchFromAnyFirstSeedSendsDistinctSeeds(
            @ForAll @LongRange(min = Long.MIN_VALUE, max = Long.MAX_VALUE - 7) long firstSeed) {
        // A batch's samples use firstSeed + i; across 0, 2^31 and 2^32 they must not collapse onto one another. (Past
        // Long.MAX_VALUE, firstSeed + i itself wraps to a far-away seed, in process as on the wire.)
        assertThat(java.util.stream.LongStream.range(0, 8).map(i -> SampleRequestParameters.serverSeed(firstSeed + i))
                .distinct().count()).isEqualTo(8);
    }
}
