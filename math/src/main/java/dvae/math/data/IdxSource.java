package dvae.math.data;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the raw IDX files of an {@link IdxSpec} come from: a folder, filled by a fetch if need be. */
@FunctionalInterface
public interface IdxSource {
    /**
     * The folder that holds both of {@code spec}'s raw files, fetching them first if this source can. When the files
     * cannot be had, a one-line {@link BadInputException} says how to provide them.
     */
    Path locate(IdxSpec spec);

    /** What to do about a located file whose SHA-256 sum is not the one recorded in {@code spec}. */
    default String mismatchAdvice(IdxSpec spec) {
        return "replace it with the file of the " + spec.origin();
    }

    /** A folder that must already hold the files; {@code howToGet} completes the error when one is missing. */
    static IdxSource folder(Path dir, String howToGet) {
        return spec -> {
            for (IdxSpec.RawFile raw : spec.files()) {
                Path file = dir.resolve(raw.fileName());
                if (!Files.isRegularFile(file)) {
                    throw new BadInputException(file + ": no such file; " + howToGet);
                }
            }
            return dir;
        };
    }
}
