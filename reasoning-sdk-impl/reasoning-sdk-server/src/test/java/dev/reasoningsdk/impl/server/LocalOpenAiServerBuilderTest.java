package dev.reasoningsdk.impl.server;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's builder refuses a meaningless setting at the setter, naming it, before anything listens. */
class LocalOpenAiServerBuilderTest {

    @Test
    void aBlankHostOrModelNameIsRefusedAtTheSetter() {
        // A blank model name was served as is (clients could not name it); a blank host was left to the resolver.
        for (String blank : List.of("", " ", "\t")) {
            assertThatIllegalArgumentException().isThrownBy(() -> LocalOpenAiServer.builder().modelName(blank))
                    .withMessage("modelName is blank");
            assertThatIllegalArgumentException().isThrownBy(() -> LocalOpenAiServer.builder().host(blank))
                    .withMessage("host is blank");
        }
        assertThatNullPointerException().isThrownBy(() -> LocalOpenAiServer.builder().host(null)).withMessage("host");
    }
}
