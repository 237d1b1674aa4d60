package dvae.math.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dvae.math.BadInputException;
import dvae.math.io.AtomicFiles;
import dvae.math.io.Npy;
import dvae.math.random.RandomStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * MNIST-like data sets statically binarized once and cached, so every later run reuses the same bits.
 *
 * <p>Binarization: pixel ~ Bernoulli(grey/255), that is 1 exactly when a uniform float in [0, 1) from
 * {@link RandomStream} falls below grey/255f, drawn row-major over each file's images from the streams
 * {@code RandomStream.forPurpose(seed, NAME + " train binarization")} (all 60,000 training-file images; the first
 * 50,000 train, the last 10,000 validate) and {@code ... NAME + " test binarization"}.
 *
 * <p>Cache layout under {@code CACHE/NAME/binarized-seed-SEED/}: {@code train.npy}, {@code valid.npy} and
 * {@code test.npy} (numpy {@code |u1}, shape (N, 784)), then {@code meta.json} naming the seed, the raw files' and the
 * arrays' SHA-256 sums. Each file is written atomically and {@code meta.json} last, so a cache is complete exactly when
 * it has one; the raw files are checked before anything is written, so bad input never touches a good cache.
 */
public final class BinarizedIdxCache {
    static final String META = "meta.json";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BinarizedIdxCache() {
    }

    /** What {@code meta.json} records. */
    record Meta(int format, String dataset, long seed, String binarization, String source,
                Map<String, String> sourceSha256, Map<String, String> arraySha256) {
    }

    private enum Split {
        TRAIN("train"), VALID("valid"), TEST("test");

        final String file;

        Split(String name) {
            this.file = name + ".npy";
        }

        int size(SplitSizes sizes) {
            return switch (this) {
                case TRAIN -> sizes.train();
                case VALID -> sizes.valid();
                case TEST -> sizes.test();
            };
        }
    }

    /** The cached binarization of {@code spec} under {@code seed}, built from {@code source} on first use. */
    public static Dataset load(IdxSpec spec, IdxSource source, Path cacheRoot, long seed) {
        Path dir = cacheRoot.resolve(spec.name()).resolve("binarized-seed-" + seed);
        Meta expected = new Meta(FORMAT, spec.name(), seed, binarization(seed), spec.origin(), sourceSums(spec), null);
        BinaryImages[] splits = Files.exists(dir.resolve(META))
                ? readCache(dir, expected, spec.split())
                : build(spec, source, dir, expected);
        return new Dataset(spec.name(), splits[0], splits[1], splits[2], expected.binarization(), spec.origin(),
                Optional.of(dir));
    }

    static String binarization(long seed) {
        return "static, seed " + seed + " (pixel ~ Bernoulli(grey/255), drawn once)";
    }

    private static BinaryImages[] build(IdxSpec spec, IdxSource source, Path dir, Meta expected) {
        Path rawDir = source.locate(spec);
        Path trainFile = rawDir.resolve(spec.train().fileName());
        Path testFile = rawDir.resolve(spec.test().fileName());
        Sha256.require(trainFile, spec.train().sha256(), source.mismatchAdvice(spec));
        Sha256.require(testFile, spec.test().sha256(), source.mismatchAdvice(spec));
        SplitSizes sizes = spec.split();
        BinaryImages trainAndValid = binarize(IdxImages.read(trainFile, sizes.trainAndValid()),
                RandomStream.forPurpose(expected.seed(), spec.name() + " train binarization"));
        BinaryImages test = binarize(IdxImages.read(testFile, sizes.test()),
                RandomStream.forPurpose(expected.seed(), spec.name() + " test binarization"));
        BinaryImages[] splits = {trainAndValid.slice(0, sizes.train()),
                trainAndValid.slice(sizes.train(), sizes.trainAndValid()), test};

        Map<String, String> arraySums = new LinkedHashMap<>();
        for (Split split : Split.values()) {
            Path file = dir.resolve(split.file);
            Npy.writeBytes(file, new int[] {split.size(sizes), Images.PIXELS}, splits[split.ordinal()].pixelBytes());
            arraySums.put(split.file, Sha256.of(file));
        }
        Meta meta = new Meta(FORMAT, expected.dataset(), expected.seed(), expected.binarization(), expected.source(),
                expected.sourceSha256(), arraySums);
        byte[] json = toJson(meta);
        AtomicFiles.write(dir.resolve(META), out -> out.write(json));
        return splits;
    }

    private static byte[] toJson(Meta meta) {
        try {
            return JSON.writeValueAsBytes(meta);
        } catch (IOException e) {
            throw new IllegalStateException("a cache description always serializes", e);
        }
    }

    private static BinaryImages binarize(byte[] greys, RandomStream random) {
        return Bernoulli.sampleRows(greys.length / Images.PIXELS, (row, probs) -> {
            for (int k = 0; k < Images.PIXELS; k++) {
                probs[k] = (greys[row * Images.PIXELS + k] & 0xff) / 255f;
            }
        }, random);
    }

    private static BinaryImages[] readCache(Path dir, Meta expected, SplitSizes sizes) {
        Path metaFile = dir.resolve(META);
        String rebuild = "delete " + dir + " to rebuild the cache";
        Meta meta;
        try {
            meta = JSON.readValue(metaFile.toFile(), Meta.class);
        } catch (IOException e) {
            throw new BadInputException(metaFile + ": unreadable cache description (" + Text.oneLine(e.getMessage())
                    + "); " + rebuild);
        }
        if (meta.format() != FORMAT || !expected.dataset().equals(meta.dataset()) || meta.seed() != expected.seed()
                || !expected.sourceSha256().equals(meta.sourceSha256()) || meta.arraySha256() == null) {
            throw new BadInputException(metaFile + ": describes a cache of other source files or settings; "
                    + rebuild);
        }
        BinaryImages[] splits = new BinaryImages[Split.values().length];
        for (Split split : Split.values()) {
            Path file = dir.resolve(split.file);
            String sum = meta.arraySha256().get(split.file);
            if (sum == null) {
                throw new BadInputException(metaFile + ": no checksum for " + split.file + "; " + rebuild);
            }
            Sha256.require(file, sum, "the cache is damaged; " + rebuild);
            Npy.Array array = Npy.read(file);
            int[] shape = {split.size(sizes), Images.PIXELS};
            if (!array.descr().equals("|u1") || !Arrays.equals(array.shape(), shape)) {
                throw new BadInputException(file + ": holds " + array.descr() + " " + Arrays.toString(array.shape())
                        + ", expected |u1 " + Arrays.toString(shape) + "; " + rebuild);
            }
            splits[split.ordinal()] = new BinaryImages(array.asBytes());
        }
        return splits;
    }

    private static Map<String, String> sourceSums(IdxSpec spec) {
        Map<String, String> sums = new LinkedHashMap<>();
        for (IdxSpec.RawFile raw : spec.files()) {
            sums.put(raw.fileName(), raw.sha256());
        }
        return sums;
    }
}
