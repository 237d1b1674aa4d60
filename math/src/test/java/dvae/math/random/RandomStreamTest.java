package dvae.math.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RandomStreamTest {

    private static float[] fill(RandomStream r, int n) {
        float[] out = new float[n];
        r.fillUniform(out);
        return out;
    }

    @Test
    void sameSeedAndPurposeGiveTheSameNumbersAndOthersDoNot() {
        assertArrayEquals(fill(RandomStream.forPurpose(42, "data"), 1000), fill(RandomStream.forPurpose(42, "data"), 1000));
        assertNotEquals(RandomStream.forPurpose(42, "data").nextLong(), RandomStream.forPurpose(42, "worker-0").nextLong());
        assertNotEquals(RandomStream.forPurpose(42, "data").nextLong(), RandomStream.forPurpose(43, "data").nextLong());
    }

    /** Known answers of xoshiro256++ from state (1, 2, 3, 4), computed with an independent Python transcription. */
    @Test
    void generatorIsXoshiro256PlusPlus() {
        RandomStream r = RandomStream.fromState(new long[] {1, 2, 3, 4, 0, 0});
        assertEquals(41943041L, r.nextLong()); // rotl(1 + 4, 23) + 1
        assertEquals(58720359L, r.nextLong());
        assertEquals(3588806011781223L, r.nextLong());
        assertEquals(3591011842654386L, r.nextLong());
    }

    @Test
    void stateRestoredMidStreamContinuesBitExactly() {
        RandomStream r = new RandomStream(7);
        fill(r, 1001); // odd length: the fill must not carry half a draw over
        r.nextGaussian(); // leaves a cached second Gaussian, which is part of the state
        long[] state = r.state();
        double g = r.nextGaussian();
        float[] next = fill(r, 777);
        int k = r.nextInt(1000);

        RandomStream resumed = RandomStream.fromState(state);
        assertEquals(g, resumed.nextGaussian());
        assertArrayEquals(next, fill(resumed, 777));
        assertEquals(k, resumed.nextInt(1000));

        RandomStream other = new RandomStream(8);
        other.restore(state);
        assertEquals(g, other.nextGaussian());
    }

    @Test
    void fillingInPiecesEqualsFillingAtOnceForEvenPieces() {
        float[] whole = fill(new RandomStream(3), 1000);
        RandomStream r = new RandomStream(3);
        float[] pieces = new float[1000];
        r.fillUniform(pieces, 0, 400);
        r.fillUniform(pieces, 400, 600);
        assertArrayEquals(whole, pieces);
    }

    /** Mean, variance, a 100-bin χ² on each half of the 64-bit words, and lag-1 correlation, on 2·10⁶ draws. */
    @Test
    void uniformsLookUniform() {
        int n = 2_000_000;
        float[] u = fill(new RandomStream(11), n);
        double sum = 0;
        double sq = 0;
        double lag = 0;
        int bins = 100;
        long[][] counts = new long[2][bins]; // even positions use the word's high bits, odd ones its low bits
        for (int i = 0; i < n; i++) {
            assertTrue(u[i] >= 0f && u[i] < 1f, "out of [0, 1): " + u[i]);
            sum += u[i];
            sq += (double) u[i] * u[i];
            if (i > 0) {
                lag += (u[i] - 0.5) * (u[i - 1] - 0.5);
            }
            counts[i % 2][(int) (u[i] * bins)]++;
        }
        double mean = sum / n;
        assertEquals(0.5, mean, 5 * Math.sqrt(1 / 12.0 / n));
        assertEquals(1 / 12.0, sq / n - mean * mean, 1e-3);
        assertEquals(0, lag / n / (1 / 12.0), 5 / Math.sqrt(n));
        for (long[] c : counts) {
            double expected = n / 2.0 / bins;
            double chi2 = Arrays.stream(c).mapToDouble(k -> (k - expected) * (k - expected) / expected).sum();
            assertTrue(chi2 < 170, "χ² with 99 degrees of freedom = " + chi2 + " (p < 1e-5 above 170)");
        }
    }

    @Test
    void integersGaussiansAndShuffles() {
        RandomStream r = new RandomStream(5);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) {
            counts[r.nextInt(7)]++;
        }
        for (int c : counts) {
            assertEquals(10_000, c, 500);
        }
        double sum = 0;
        double sq = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            sum += g;
            sq += g * g;
        }
        assertEquals(0, sum / n, 0.015);
        assertEquals(1, sq / n, 0.015);
        int[] idx = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        r.shuffle(idx);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Arrays.stream(idx).sorted().toArray());
        assertNotEquals(r.split().nextLong(), r.nextLong());
    }
}
