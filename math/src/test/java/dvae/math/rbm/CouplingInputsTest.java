package dvae.math.rbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import org.junit.jupiter.api.Test;

/**
 * Coupling inputs kept up to date by row additions: the recorded changes, the additions against fresh products, and
 * the samplers built on them against exact enumeration on machines that change few units per draw (strong biases,
 * weak couplings, like trained ones), where the additions do the work.
 */
class CouplingInputsTest {
    private static final int[] COLUMNS = {5, 16, 21, 37, 100, 128, 130, 144, 200, 400};

    @Test
    void recordedFlipsAreExactlyTheUnitsTheDrawChanged() {
        int rows = 7;
        for (int cols : COLUMNS) {
            RandomStream rng = new RandomStream(cols);
            float[] act = gaussian(rows * cols, 2, rng);
            float[] bias = gaussian(cols, 1, rng);
            float[] before = BlockGibbsTest.randomBits(rows * cols, cols);
            float[] uniforms = new float[VectorMath.uniformBufferLength(rows * cols)];
            VectorMath.fillUniform(rng, uniforms, rows * cols);
            float[] plain = before.clone();
            VectorMath.sampleBernoulli(act, 0, 0.7f, bias, 0, 1.3f, rows, cols, uniforms, plain, 0);
            float[] recorded = before.clone();
            int patterns = VectorMath.patternsPerRow(cols);
            int[] flips = new int[rows * patterns + 3];
            flips[flips.length - 1] = 12345; // beyond the rows: left alone
            VectorMath.sampleBernoulliRecordingFlips(act, 0, 0.7f, bias, 0, 1.3f, rows, cols, uniforms, recorded, 0,
                    flips, 2);
            assertEquals(12345, flips[flips.length - 1]);
            for (int i = 0; i < rows * cols; i++) {
                assertEquals(plain[i], recorded[i], "the same draws, cols " + cols);
            }
            for (int r = 0; r < rows; r++) {
                boolean[] marked = new boolean[cols];
                for (int j = 0; j < patterns; j++) {
                    int pattern = flips[2 + r * patterns + j];
                    for (int k = 0; k < 32; k++) {
                        if ((pattern >>> k & 1) != 0) {
                            int unit = dvae.math.tensor.VectorFunctions.vectorStart(j, cols) + k;
                            assertTrue(unit < cols && !marked[unit], "unit " + unit + " marked once, cols " + cols);
                            marked[unit] = true;
                        }
                    }
                }
                for (int c = 0; c < cols; c++) {
                    assertEquals(before[r * cols + c] != recorded[r * cols + c], marked[c],
                            "row " + r + " unit " + c + ", cols " + cols);
                }
            }
        }
    }

    @Test
    void addingTheChangedRowsGivesTheNewProduct() {
        int rows = 9;
        for (int units : new int[] {7, 37, 100, 200}) {
            for (int width : COLUMNS) {
                RandomStream rng = new RandomStream(units * 1000L + width);
                float[] m = gaussian(units * width, 1, rng);
                float[] z = BlockGibbsTest.randomBits(rows * units, width);
                float[] c = product(z, m, rows, units, width);
                // a draw that changes about a third of the units, recording which
                float[] act = gaussian(rows * units, 1, rng);
                float[] uniforms = new float[VectorMath.uniformBufferLength(rows * units)];
                VectorMath.fillUniform(rng, uniforms, rows * units);
                int[] flips = new int[rows * VectorMath.patternsPerRow(units)];
                VectorMath.sampleBernoulliRecordingFlips(act, 0, 1f, new float[units], 0, 0f, rows, units, uniforms, z,
                        0, flips, 0);
                VectorMath.addChangedRows(c, rows, width, m, 0, z, 0, units, flips,
                        new long[VectorMath.changedUnitWords(units)], new int[units]);
                float[] expected = product(z, m, rows, units, width);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(expected[i], c[i], 1e-4, units + " units, width " + width + ", element " + i);
                }
            }
        }
    }

    @Test
    void inputsStayEqualToFreshProductsOverManySweeps() {
        Rbm rbm = sharp(20, 37, 1);
        int rows = 300;
        float[] z1 = BlockGibbsTest.randomBits(rows * 20, 2);
        float[] z2 = new float[rows * 37];
        BlockGibbs engine = new BlockGibbs(new RandomStream(3));
        CouplingInputs inputs = engine.couplingInputs();
        inputs.start(rbm, rbm.transposed().w(), z1, 0, z2, 0, rows);
        for (int s = 0; s < 300; s++) {
            float[] side2 = inputs.side2Input();
            float[] expected = product(z1, rbm.w(), rows, 20, 37);
            for (int i = 0; i < rows * 37; i++) {
                assertEquals(expected[i], side2[i], 1e-4, "sweep " + s + ", element " + i);
            }
            inputs.drawSide2(1f, 1f);
            inputs.drawSide1(1f, 1f);
        }
        // about 600 updates: row additions, and a fresh product every REFRESH_EVERY of them
        assertTrue(inputs.additionUpdates > 500, "additions " + inputs.additionUpdates);
        assertTrue(inputs.productUpdates >= 600 / CouplingInputs.REFRESH_EVERY, "products " + inputs.productUpdates);
    }

    @Test
    void aMachineThatChangesManyUnitsIsMultipliedAnew() {
        Rbm rbm = Rbm.random(20, 30, 0.05, 4); // nearly uniform: half the units change at every draw
        int rows = 200;
        BlockGibbs engine = new BlockGibbs(new RandomStream(5));
        CouplingInputs inputs = engine.couplingInputs();
        inputs.start(rbm, rbm.transposed().w(), BlockGibbsTest.randomBits(rows * 20, 6), 0, new float[rows * 30], 0,
                rows);
        for (int s = 0; s < 50; s++) {
            inputs.drawSide2(1f, 1f);
            inputs.drawSide1(1f, 1f);
        }
        assertEquals(0, inputs.additionUpdates);
    }

    @Test
    void sweepsOfASharpMachineMatchExactMarginals() {
        Rbm rbm = sharp(20, 18, 7);
        int chains = 20_000;
        float[] z1 = BlockGibbsTest.randomBits(chains * 20, 8);
        float[] z2 = new float[chains * 18];
        BlockGibbs gibbs = new BlockGibbs(new RandomStream(9));
        gibbs.sweeps(rbm, z1, z2, chains, 100);
        BlockGibbsTest.assertMatchesExact(ExactRbm.moments(rbm), z1, 0, z2, 0, chains, 5 * 0.5 / Math.sqrt(chains));
    }

    /**
     * Per-example machines keep side 2's input by additions and multiply side 1's: 2,000 examples of one sharp
     * machine, one chain each as in training, pooled, and 4 examples of different machines with 2,500 chains each.
     */
    @Test
    void batchedSweepsOfSharpMachinesMatchExactMarginals() {
        Rbm one = sharp(20, 18, 12);
        int size = 2000;
        RbmBatch same = batchOf(size, i -> one);
        float[] z1 = BlockGibbsTest.randomBits(size * 20, 13);
        float[] z2 = new float[size * 18];
        new BlockGibbs(new RandomStream(14)).sweeps(same, 1, z1, z2, 100);
        BlockGibbsTest.assertMatchesExact(ExactRbm.moments(one), z1, 0, z2, 0, size, 5 * 0.5 / Math.sqrt(size));

        int replicas = 2500;
        RbmBatch different = batchOf(4, i -> sharp(17, 20, 20 + i));
        float[] y1 = BlockGibbsTest.randomBits(4 * replicas * 17, 15);
        float[] y2 = new float[4 * replicas * 20];
        new BlockGibbs(new RandomStream(16)).sweeps(different, replicas, y1, y2, 100);
        for (int e = 0; e < 4; e++) {
            BlockGibbsTest.assertMatchesExact(ExactRbm.moments(different.example(e)), y1, e * replicas * 17, y2,
                    e * replicas * 20, replicas, 5 * 0.5 / Math.sqrt(replicas));
        }
    }

    private static RbmBatch batchOf(int size, java.util.function.IntFunction<Rbm> machine) {
        Rbm first = machine.apply(0);
        int n1 = first.n1();
        int n2 = first.n2();
        float[] w = new float[size * n1 * n2];
        float[] b1 = new float[size * n1];
        float[] b2 = new float[size * n2];
        for (int e = 0; e < size; e++) {
            Rbm m = machine.apply(e);
            System.arraycopy(m.w(), 0, w, e * n1 * n2, n1 * n2);
            System.arraycopy(m.b1(), 0, b1, e * n1, n1);
            System.arraycopy(m.b2(), 0, b2, e * n2, n2);
        }
        return new RbmBatch(size, n1, n2, w, b1, b2);
    }

    @Test
    void jointWeightAisOfASharpMachineMatchesExactLogZ() {
        Rbm rbm = sharp(20, 24, 10);
        double exact = ExactRbm.logZ(rbm);
        for (AnnealingBase base : AnnealingBase.values()) {
            LogZEstimate ais = Annealing.ais(rbm, 300, 1000, base, Annealing.Weights.JOINT, new RandomStream(11))
                    .estimate();
            assertEquals(exact, ais.logZ(), 4 * ais.sd() + 1e-3, base.label());
        }
    }

    /** Biases ~ 6·N(0, 1), couplings ~ 0.2·N(0, 1): most units keep their state from draw to draw. */
    private static Rbm sharp(int n1, int n2, long seed) {
        RandomStream rng = new RandomStream(seed);
        return new Rbm(n1, n2, gaussian(n1 * n2, 0.2, rng), gaussian(n1, 6, rng), gaussian(n2, 6, rng));
    }

    private static float[] gaussian(int n, double scale, RandomStream rng) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (scale * rng.nextGaussian());
        }
        return out;
    }

    /** z·m in double, rows × width. */
    private static float[] product(float[] z, float[] m, int rows, int units, int width) {
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                double sum = 0;
                for (int i = 0; i < units; i++) {
                    sum += (double) z[r * units + i] * m[i * width + j];
                }
                out[r * width + j] = (float) sum;
            }
        }
        return out;
    }
}
