package dev.reasoningsdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What an application sees of the build: every library artifact is aligned by {@code reasoning-sdk-bom} and listed
 * in the README's artifact table, so that adding a module without either fails here rather than in a user's build.
 * Reads the poms as text (the tests run from this module's folder, beside the reactor root).
 */
class PublishedArtifactsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>(reasoning-sdk-[a-z-]+)</artifactId>");

    private static List<String> libraries() throws IOException {
        List<String> artifacts = new ArrayList<>(List.of("reasoning-sdk-api"));
        Matcher modules = MODULE.matcher(Files.readString(ROOT.resolve("reasoning-sdk-impl/pom.xml")));
        while (modules.find()) {
            if (!modules.group(1).equals("reasoning-sdk-bom")) {
                artifacts.add(modules.group(1));
            }
        }
        return artifacts;
    }

    @Test
    void theBomAlignsEveryLibraryArtifact() throws IOException {
        List<String> managed = new ArrayList<>();
        Matcher artifact = ARTIFACT.matcher(Files.readString(ROOT.resolve("reasoning-sdk-impl/reasoning-sdk-bom/pom.xml")));
        while (artifact.find()) {
            managed.add(artifact.group(1));
        }

        assertThat(libraries()).hasSizeGreaterThan(10);
        assertThat(managed).containsAll(libraries());
    }

    @Test
    void theReadmeArtifactTableListsEveryLibraryArtifactAndTheBom() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));

        for (String library : libraries()) {
            assertThat(readme).as(library).contains("| `" + library + "` |");
        }
        assertThat(readme).contains("| `reasoning-sdk-bom` |");
    }
}
