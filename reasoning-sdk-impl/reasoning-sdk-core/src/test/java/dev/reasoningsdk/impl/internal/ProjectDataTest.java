package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the SDK's own data is found: the project's copy first, shared/ beside the clone second. */
class ProjectDataTest {

    private static final String FILE = "data/gsm8k/model-solutions-dev.jsonl";

    @TempDir
    Path root;

    private Path write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "{}\n");
    }

    @Test
    void theProjectsCopyWinsOverSharedBesideTheClone() throws IOException {
        Path clone = root.resolve("work/clone");
        Path ours = write(clone.resolve(ProjectData.PROJECT_FOLDER).resolve(FILE));
        write(root.resolve("work/shared").resolve(FILE));

        // From a module directory, as Surefire runs the tests.
        assertThat(ProjectData.find(FILE, List.of(clone.resolve("reasoning-sdk-impl/reasoning-sdk-core"))))
                .contains(ours);
    }

    @Test
    void sharedBesideOrInsideAnAncestorIsTheFallback() throws IOException {
        Path clone = root.resolve("work/clone");
        Files.createDirectories(clone.resolve(ProjectData.PROJECT_FOLDER));
        Path beside = write(root.resolve("work/shared").resolve(FILE));
        Path inside = write(root.resolve("ci/shared").resolve(FILE));

        assertThat(ProjectData.find(FILE, List.of(clone))).contains(beside);
        assertThat(ProjectData.find(FILE, List.of(root.resolve("ci/checkout/module")))).contains(inside);
    }

    @Test
    void everyStartIsSearchedForTheProjectsCopyBeforeAnySharedFolder() throws IOException {
        Path jarFolder = root.resolve("clone/reasoning-sdk-examples/target");
        Path ours = write(root.resolve("clone").resolve(ProjectData.PROJECT_FOLDER).resolve(FILE));
        write(root.resolve("elsewhere/shared").resolve(FILE));

        assertThat(ProjectData.find(FILE, List.of(root.resolve("elsewhere/app"), jarFolder))).contains(ours);
    }

    @Test
    void aMissingFileIsNamedWithWhereItWasLookedFor() {
        Path start = root.resolve("clone");

        assertThat(ProjectData.find(FILE, List.of(start))).isEmpty();
        assertThatThrownBy(() -> ProjectData.require(FILE, List.of(start)))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(FILE).hasMessageContaining(ProjectData.PROJECT_FOLDER)
                .hasMessageContaining(start.toString());
    }

    @Test
    void pathsThatLeaveTheDataFoldersAreRefused() {
        assertThatThrownBy(() -> ProjectData.find("../secrets", List.of(root)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../secrets");
        assertThatThrownBy(() -> ProjectData.find(root.resolve("x").toString(), List.of(root)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProjectData.find("", List.of(root)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
