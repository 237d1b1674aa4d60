package dvae.math.data;

import dvae.math.random.RandomStream;
import java.util.Optional;

/**
 * A small made-up data set of 28 x 28 binary images: noisy copies (5% of pixels flipped) of four random prototypes
 * (30% of pixels on). Structure a tiny model learns in a hundred steps, for tests and benchmarks, which must not
 * depend on the network or on a downloaded data set.
 */
public final class SyntheticData {
    private static final int PROTOTYPES = 4;

    private SyntheticData() {
    }

    /** {@code train} training images and 60 each for validation and test, all from one seeded stream. */
    public static Dataset noisyPrototypes(int train, long seed) {
        RandomStream rng = new RandomStream(seed);
        byte[][] prototypes = new byte[PROTOTYPES][Images.PIXELS];
        for (byte[] p : prototypes) {
            for (int i = 0; i < Images.PIXELS; i++) {
                p[i] = (byte) (rng.nextFloat() < 0.3f ? 1 : 0);
            }
        }
        return new Dataset("synthetic", images(prototypes, train, rng), images(prototypes, 60, rng),
                images(prototypes, 60, rng), "synthetic", "noisy copies of " + PROTOTYPES + " random prototypes",
                Optional.empty());
    }

    private static BinaryImages images(byte[][] prototypes, int count, RandomStream rng) {
        byte[] pixels = new byte[count * Images.PIXELS];
        for (int r = 0; r < count; r++) {
            byte[] p = prototypes[rng.nextInt(prototypes.length)];
            for (int i = 0; i < Images.PIXELS; i++) {
                pixels[r * Images.PIXELS + i] = (byte) (rng.nextFloat() < 0.05f ? 1 - p[i] : p[i]);
            }
        }
        return new BinaryImages(pixels);
    }
}
