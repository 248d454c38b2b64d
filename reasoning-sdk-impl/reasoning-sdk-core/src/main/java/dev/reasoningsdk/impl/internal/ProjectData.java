package dev.reasoningsdk.impl.internal;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the data and models that the SDK's own tests, demo and benches read by default. Not API: it knows the
 * layout of this project's source tree, which an application does not have.
 *
 * <p>A path such as {@code data/gsm8k/model-solutions-dev.jsonl} or {@code models/tiny-reasoner/eval-problems.jsonl}
 * is looked up first in the project's own copy, {@value #PROJECT_FOLDER} in the first ancestor of a start directory
 * that holds it (so a fresh clone with nothing beside it finds everything it ships), and only then in a
 * {@code shared/} or {@code ../shared/} folder beside an ancestor, the machine-wide folder the copy was made from,
 * which also holds what may not be redistributed (SelfAware). Both use the same layout, {@code data/...} and
 * {@code models/...}, so the same relative path works in either.
 */
public final class ProjectData {

    /** The project's copy of the data and models, relative to the project root. */
    public static final String PROJECT_FOLDER = "reasoning-sdk-examples/data";

    private ProjectData() {
    }

    /** {@link #find(String, List)} from the working directory ({@code user.dir}). */
    public static Optional<Path> find(String relative) {
        return find(relative, List.of(workingDirectory()));
    }

    /**
     * The file or directory {@code relative} in the project's copy above any of {@code starts}, else in a
     * {@code shared} folder above any of them.
     *
     * @param relative a path in the shared layout, such as {@code data/gsm8k/model-solutions-dev.jsonl}
     * @param starts   directories to walk up from, in order of preference
     * @throws IllegalArgumentException if {@code relative} is absolute or climbs out with {@code ..}
     */
    public static Optional<Path> find(String relative, List<Path> starts) {
        Path path = checkRelative(relative);
        List<Path> ancestors = ancestors(starts);
        for (Path dir : ancestors) {
            Path candidate = dir.resolve(PROJECT_FOLDER).resolve(path);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        for (Path dir : ancestors) {
            for (Path shared : List.of(dir.resolve("shared"), dir.resolveSibling("shared"))) {
                if (Files.exists(shared.resolve(path))) {
                    return Optional.of(shared.resolve(path));
                }
            }
        }
        return Optional.empty();
    }

    /** {@link #require(String, List)} from the working directory ({@code user.dir}). */
    public static Path require(String relative) {
        return require(relative, List.of(workingDirectory()));
    }

    /**
     * As {@link #find(String, List)}, for a file that must be there. Unchecked, so that a test can name its data
     * anywhere (field initialisers, lambdas); the CLI unwraps it into an exit code.
     *
     * @throws UncheckedIOException wrapping a {@link NoSuchFileException} that names {@code relative} and where it
     *                              was looked for, when it is in neither place
     */
    public static Path require(String relative, List<Path> starts) {
        return find(relative, starts).orElseThrow(() -> new UncheckedIOException(new NoSuchFileException(relative,
                null, "not in " + PROJECT_FOLDER + " nor in shared/ or ../shared above " + starts)));
    }

    private static Path workingDirectory() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath();
    }

    private static Path checkRelative(String relative) {
        Path path = Path.of(Objects.requireNonNull(relative, "relative"));
        if (path.isAbsolute() || path.normalize().startsWith("..") || relative.isEmpty()) {
            throw new IllegalArgumentException("not a path inside the data folders: '" + relative + "'");
        }
        return path;
    }

    /** Every start and its ancestors, nearest first, each once. */
    private static List<Path> ancestors(List<Path> starts) {
        List<Path> ancestors = new ArrayList<>();
        for (Path start : starts) {
            for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                if (!ancestors.contains(dir)) {
                    ancestors.add(dir);
                }
            }
        }
        return ancestors;
    }
}
