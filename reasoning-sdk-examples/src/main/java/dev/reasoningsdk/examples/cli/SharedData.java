package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.internal.ProjectData;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the data and models the CLI reads by default: the project's copy ({@code reasoning-sdk-examples/data}),
 * else {@code shared/} beside the clone (see {@link ProjectData}), walking up from the working directory and from
 * the jar's own folder, so that {@code java -jar reasoning-sdk-examples/target/reasoning.jar} finds them from
 * anywhere.
 */
final class SharedData {

    private SharedData() {
    }

    /** The {@code data} directory, or a clear error telling the caller to pass {@code --data}. */
    static Path locate() throws NoSuchFileException {
        return require("data", "--data");
    }

    /** {@code relative} (e.g. {@code data/gsm8k/model-solutions-dev.jsonl}) in the first place that has it. */
    static Optional<Path> find(String relative) {
        return ProjectData.find(relative, starts());
    }

    /**
     * The default input {@code relative}, which must be there unless {@code option} names another.
     *
     * @throws NoSuchFileException naming the file, where it was looked for and the option (the CLI exits 2)
     */
    static Path require(String relative, String option) throws NoSuchFileException {
        try {
            return ProjectData.require(relative, starts());
        } catch (UncheckedIOException missing) {
            // Checked again, so that the CLI reports it as bad input (exit 2), with the option that replaces it.
            NoSuchFileException cause = (NoSuchFileException) missing.getCause();
            throw new NoSuchFileException(cause.getFile(), null, cause.getReason() + "; pass " + option);
        }
    }

    /** The working directory, then the folder of the jar (or classes directory) this class was loaded from. */
    private static List<Path> starts() {
        List<Path> starts = new ArrayList<>(List.of(Path.of(System.getProperty("user.dir")).toAbsolutePath()));
        CodeSource source = SharedData.class.getProtectionDomain().getCodeSource();
        if (source != null) {
            try {
                Path folder = Path.of(source.getLocation().toURI()).toAbsolutePath().getParent();
                if (folder != null) {
                    starts.add(folder);
                }
            } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
                // Not a local file (a custom class loader): the working directory is all there is to go on.
            }
        }
        return starts;
    }
}
