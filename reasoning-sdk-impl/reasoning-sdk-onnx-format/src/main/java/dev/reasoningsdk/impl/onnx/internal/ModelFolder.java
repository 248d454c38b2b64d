package dev.reasoningsdk.impl.onnx.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the files that a model names (ONNX external data, safetensors shards from an index, the config and tokenizer
 * files a merge copies) may really be: inside the model's folder, compared by real path so that a symbolic link
 * cannot lead out of it. Shared by {@code OnnxExternalData} and the merger, so the loaders and the merger draw the
 * line in the same place. Not API.
 *
 * <p>One exception, for the Hugging Face hub cache: {@code huggingface_hub} keeps a repository as
 * {@code models--org--name/snapshots/<rev>/...}, each file a symbolic link to {@code ../../blobs/<hash>}. When the
 * folder's real path lies inside such a snapshot, the real {@code blobs} directory of that same repository folder
 * is allowed too. A blob holds a file downloaded from the same repository as the model itself, so this widens the
 * reach only to the model's own files. It holds only when {@code blobs} is a directory itself, not a link, and the
 * real path of every target is still checked, so a link out of the repository (a blob that is itself a link to
 * {@code /etc/passwd}, a snapshot file pointing at another repository) is refused as before.
 *
 * @param realFolder the folder's real path
 * @param hubBlobs   the real {@code blobs} directory of the Hugging Face cache repository whose snapshot holds the
 *                   folder, if it is one
 */
public record ModelFolder(Path realFolder, Optional<Path> hubBlobs) {

    private static final String HUB_REPO_PREFIX = "models--";
    private static final String HUB_SNAPSHOTS = "snapshots";
    private static final String HUB_BLOBS = "blobs";

    /**
     * The folder's real path, and the hub cache's blobs when the folder is (inside) a hub cache snapshot.
     *
     * @throws IOException if the folder's real path cannot be resolved (it does not exist, or a link loops)
     */
    public static ModelFolder of(Path folder) throws IOException {
        Path real = folder.toRealPath();
        return new ModelFolder(real, hubBlobs(real));
    }

    /** Whether {@code realTarget}, a real path, is a place the model's files may be. */
    public boolean holds(Path realTarget) {
        return realTarget.startsWith(realFolder) || hubBlobs.map(realTarget::startsWith).orElse(false);
    }

    /**
     * Where files may be, for messages: {@code the model's folder /real/folder}, plus {@code and its Hugging Face
     * cache blobs /real/blobs} for a hub snapshot.
     */
    public String describe(String folderName) {
        return folderName + " " + realFolder
                + hubBlobs.map(blobs -> " and its Hugging Face cache blobs " + blobs).orElse("");
    }

    /**
     * The {@code blobs} directory of {@code models--*} when {@code real} is {@code models--*}/snapshots/REV or
     * inside it (a repository's files may sit in subfolders, as Optimum's {@code onnx/model.onnx} do).
     */
    private static Optional<Path> hubBlobs(Path real) throws IOException {
        for (Path snapshot = real; snapshot != null; snapshot = snapshot.getParent()) {
            Path snapshots = snapshot.getParent();
            Path repo = snapshots == null ? null : snapshots.getParent();
            if (repo == null || repo.getFileName() == null
                    || !snapshots.getFileName().toString().equals(HUB_SNAPSHOTS)
                    || !repo.getFileName().toString().startsWith(HUB_REPO_PREFIX)) {
                continue;
            }
            Path blobs = repo.resolve(HUB_BLOBS);
            // A blobs that is itself a link could name any directory (even "/"): only a real one counts.
            if (Files.isDirectory(blobs, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(blobs.toRealPath());
            }
            return Optional.empty();
        }
        return Optional.empty();
    }
}
