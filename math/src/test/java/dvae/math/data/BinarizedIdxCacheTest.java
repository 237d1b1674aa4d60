package dvae.math.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinarizedIdxCacheTest {
    /** Grey 64/255 everywhere from this pixel on: enough draws to check the binarization rate. */
    private static final int GREY_FROM = 100;
    private static final SplitSizes SIZES = new SplitSizes(6, 2, 3);

    @TempDir
    Path tmp;
    private Path rawDir;
    private Path cacheRoot;
    private IdxSpec spec;

    @BeforeEach
    void writeRawFiles() {
        rawDir = tmp.resolve("raw");
        cacheRoot = tmp.resolve("cache");
        // Training-file image n is white at pixel n only (before pixel GREY_FROM); test image n at pixel 50 + n.
        byte[] train = DataFixtures.greys(SIZES.trainAndValid(), (n, p) -> p >= GREY_FROM ? 64 : p == n ? 255 : 0);
        byte[] test = DataFixtures.greys(SIZES.test(), (n, p) -> p >= GREY_FROM ? 64 : p == 50 + n ? 255 : 0);
        Path trainFile = DataFixtures.write(rawDir.resolve("train-images"), DataFixtures.idx(train));
        Path testFile = DataFixtures.write(rawDir.resolve("t10k-images.gz"),
                DataFixtures.gzip(DataFixtures.idx(test)));
        spec = new IdxSpec("tiny", "test files", new IdxSpec.RawFile("train-images", Sha256.of(trainFile)),
                new IdxSpec.RawFile("t10k-images.gz", Sha256.of(testFile)), SIZES);
    }

    private IdxSource source() {
        return IdxSource.folder(rawDir, "write the test files");
    }

    @Test
    void splitsTheTrainingFileInOrderAndBinarizesAtTheGreyRate() {
        Dataset data = BinarizedIdxCache.load(spec, source(), cacheRoot, 1);
        assertEquals(6, data.trainSize());
        assertEquals(2, data.valid().rows());
        assertEquals(3, data.test().rows());
        for (int r = 0; r < 6; r++) {
            assertEquals(1, ((BinaryImages) data.train()).pixel(r, r), "train image " + r + " is file image " + r);
        }
        for (int v = 0; v < 2; v++) {
            assertEquals(1, data.valid().pixel(v, 6 + v), "valid image " + v + " is file image " + (6 + v));
            assertEquals(0, data.valid().pixel(v, v));
        }
        for (int t = 0; t < 3; t++) {
            assertEquals(1, data.test().pixel(t, 50 + t));
        }
        long ones = 0;
        long draws = 0;
        for (BinaryImages split : new BinaryImages[] {(BinaryImages) data.train(), data.valid(), data.test()}) {
            for (int r = 0; r < split.rows(); r++) {
                for (int p = 0; p < GREY_FROM; p++) {
                    assertEquals(p == r || p == 6 + r || p == 50 + r ? split.pixel(r, p) : 0, split.pixel(r, p));
                }
                for (int p = GREY_FROM; p < Images.PIXELS; p++) {
                    ones += split.pixel(r, p);
                    draws++;
                }
            }
        }
        assertEquals(64 / 255.0, (double) ones / draws, 0.02);
        assertEquals(1f / 6, data.meanPixel()[0], 1e-6);
        assertEquals("static, seed 1 (pixel ~ Bernoulli(grey/255), drawn once)", data.binarization());
        assertEquals(cacheRoot.resolve("tiny").resolve("binarized-seed-1"), data.cache().orElseThrow());
    }

    @Test
    void theSeedAloneFixesTheBits() {
        Dataset a = BinarizedIdxCache.load(spec, source(), tmp.resolve("a"), 1);
        Dataset b = BinarizedIdxCache.load(spec, source(), tmp.resolve("b"), 1);
        Dataset c = BinarizedIdxCache.load(spec, source(), tmp.resolve("a"), 2);
        assertArrayEquals(bits(a), bits(b));
        assertFalse(Arrays.equals(bits(a), bits(c)));
        assertTrue(Files.isDirectory(tmp.resolve("a/tiny/binarized-seed-1")), "seed 2 did not replace seed 1");
    }

    @Test
    void aSecondLoadReusesTheCacheBitForBitWithoutTheSource() {
        Dataset first = BinarizedIdxCache.load(spec, source(), cacheRoot, 1);
        Map<String, String> cached = DataFixtures.snapshot(cacheRoot);
        assertEquals(4, cached.size(), cached.toString());
        Dataset second = BinarizedIdxCache.load(spec, s -> {
            throw new AssertionError("a complete cache needs no source");
        }, cacheRoot, 1);
        assertArrayEquals(bits(first), bits(second));
        assertEquals(cached, DataFixtures.snapshot(cacheRoot));
    }

    @Test
    void aChecksumMismatchIsNamedAndWritesNothing() {
        BinarizedIdxCache.load(spec, source(), cacheRoot, 1);
        Map<String, String> before = DataFixtures.snapshot(cacheRoot);
        IdxSpec wrongSum = new IdxSpec(spec.name(), spec.origin(), new IdxSpec.RawFile("train-images", "00".repeat(32)),
                spec.test(), SIZES);
        BadInputException e = assertThrows(BadInputException.class,
                () -> BinarizedIdxCache.load(wrongSum, source(), cacheRoot, 2));
        assertTrue(e.getMessage().startsWith(rawDir.resolve("train-images") + ": SHA-256 checksum mismatch"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; replace it with the file of the test files"), e.getMessage());
        assertEquals(before, DataFixtures.snapshot(cacheRoot), "the good cache is untouched");
        assertFalse(Files.exists(cacheRoot.resolve("tiny/binarized-seed-2")));
    }

    @Test
    void aMalformedRawFileWithAMatchingSumWritesNothing() {
        Path bad = DataFixtures.write(rawDir.resolve("train-images"),
                Arrays.copyOf(DataFixtures.idx(new byte[SIZES.trainAndValid() * Images.PIXELS]), 500));
        IdxSpec truncated = new IdxSpec(spec.name(), spec.origin(), new IdxSpec.RawFile("train-images", Sha256.of(bad)),
                spec.test(), SIZES);
        BadInputException e = assertThrows(BadInputException.class,
                () -> BinarizedIdxCache.load(truncated, source(), cacheRoot, 1));
        assertTrue(e.getMessage().startsWith(bad + ": truncated"), e.getMessage());
        assertTrue(DataFixtures.snapshot(cacheRoot).isEmpty());
    }

    @Test
    void aMissingRawFileSaysHowToGetIt() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> BinarizedIdxCache.load(spec, IdxSource.folder(tmp.resolve("nowhere"), "install the package"),
                        cacheRoot, 1));
        assertEquals(tmp.resolve("nowhere").resolve("train-images") + ": no such file; install the package",
                e.getMessage());
        assertTrue(DataFixtures.snapshot(cacheRoot).isEmpty());
    }

    @Test
    void aDamagedCacheIsReportedAndLeftForTheUserToDelete() throws Exception {
        Dataset data = BinarizedIdxCache.load(spec, source(), cacheRoot, 1);
        Path train = data.cache().orElseThrow().resolve("train.npy");
        byte[] bytes = Files.readAllBytes(train);
        bytes[bytes.length - 1] ^= 1;
        Files.write(train, bytes);
        Map<String, String> before = DataFixtures.snapshot(cacheRoot);
        BadInputException e = assertThrows(BadInputException.class,
                () -> BinarizedIdxCache.load(spec, source(), cacheRoot, 1));
        assertTrue(e.getMessage().startsWith(train + ": SHA-256 checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().endsWith("delete " + data.cache().orElseThrow() + " to rebuild the cache"),
                e.getMessage());
        assertEquals(before, DataFixtures.snapshot(cacheRoot));
    }

    @Test
    void aCacheOfOtherSourcesOrAnUnreadableDescriptionIsRefused() throws Exception {
        Dataset data = BinarizedIdxCache.load(spec, source(), cacheRoot, 1);
        Path meta = data.cache().orElseThrow().resolve(BinarizedIdxCache.META);
        IdxSpec otherSums = new IdxSpec(spec.name(), spec.origin(),
                new IdxSpec.RawFile("train-images", "ab".repeat(32)), spec.test(), SIZES);
        BadInputException other = assertThrows(BadInputException.class,
                () -> BinarizedIdxCache.load(otherSums, source(), cacheRoot, 1));
        assertTrue(other.getMessage().startsWith(meta + ": describes a cache of other source files"),
                other.getMessage());

        Files.writeString(meta, "{ not json");
        BadInputException garbled = assertThrows(BadInputException.class,
                () -> BinarizedIdxCache.load(spec, source(), cacheRoot, 1));
        assertTrue(garbled.getMessage().startsWith(meta + ": unreadable cache description"), garbled.getMessage());
        assertFalse(garbled.getMessage().contains("\n"));
    }

    private static byte[] bits(Dataset data) {
        byte[] train = ((BinaryImages) data.train()).pixelBytes();
        byte[] valid = data.valid().pixelBytes();
        byte[] test = data.test().pixelBytes();
        byte[] all = Arrays.copyOf(train, train.length + valid.length + test.length);
        System.arraycopy(valid, 0, all, train.length, valid.length);
        System.arraycopy(test, 0, all, train.length + valid.length, test.length);
        return all;
    }
}
