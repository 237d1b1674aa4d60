package dvae.math.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Role;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

class OptimTest {

    @Test
    void adamMatchesHandComputedTf1Steps() {
        ParamSet params = new ParamSet();
        Param p = params.add("w", Role.KERNEL, Matrix.of(1, 2, 1f, -2f));
        Adam adam = new Adam(params);
        // Step 1 by hand, g = (1, −0.5), lr = 0.1: m = 0.1·g, v = 0.001·g², lr₁ = 0.1·√0.001/0.1 = 0.0316228;
        // θ₀ −= 0.0316228·0.1/(0.0316228 + 0.001) = 0.0969347 → 0.9030653;
        // θ₁ += 0.0316228·0.05/(0.0158114 + 0.001) = 0.0940517 → −1.9059483.
        float[][] grads = {{1f, -0.5f}, {0.2f, 0f}, {-3f, 4f}};
        double[][] expected = { // steps 2 and 3 from the same recurrences, in double
            {0.9030653430031715, -1.9059483487151976},
            {0.8251776034267011, -1.8429301391349502},
            {0.8653043753170072, -1.8994575896620027}};
        for (int t = 0; t < 3; t++) {
            System.arraycopy(grads[t], 0, p.grad().data, 0, 2);
            adam.step(0.1);
            assertEquals(t + 1, adam.steps());
            assertEquals(expected[t][0], p.value().data[0], 2e-6);
            assertEquals(expected[t][1], p.value().data[1], 2e-6);
        }
        assertEquals(0.9 * 0.9 * 0.1 * 1 + 0.9 * 0.1 * 0.2 + 0.1 * -3, adam.firstMoment(p).data[0], 1e-6);
    }

    @Test
    void adamLeavesStateTensorsAlone() {
        ParamSet params = new ParamSet();
        Param state = params.add("bn/moving_mean", Role.BN_MOVING_MEAN, Matrix.of(1, 1, 5f));
        params.add("w", Role.KERNEL, Matrix.of(1, 1, 1f)).grad().data[0] = 1f;
        new Adam(params).step(0.1);
        assertEquals(5f, state.value().data[0]);
    }

    @Test
    void scheduleFollowsTheReferenceBoundaries() {
        double base = 3e-3;
        LearningRateSchedule s = new LearningRateSchedule(base, 1_000_000);
        assertEquals(base / 10, s.rate(0));
        assertEquals(base / 10, s.rate(20_000));
        assertEquals(base, s.rate(20_001));
        assertEquals(base, s.rate(600_000));
        assertEquals(base / 3, s.rate(600_001));
        assertEquals(base / 3, s.rate(750_000));
        assertEquals(base / 10, s.rate(750_001));
        assertEquals(base / 10, s.rate(950_000));
        assertEquals(base / 33, s.rate(950_001));
        assertEquals(base / 33, s.rate(2_000_000));
        // 0.95·100 is 94.999… in floating point; the boundary must still be 95.
        LearningRateSchedule small = new LearningRateSchedule(base, 100);
        assertEquals(base / 10, small.rate(95));
        assertEquals(base / 33, small.rate(96));
    }

    @Test
    void weightDecayAddsItsGradientToDecayedParametersOnly() {
        ParamSet params = new ParamSet();
        Param kernel = params.add("k", Role.KERNEL, Matrix.of(1, 3, 1f, -2f, 3f));
        Param bias = params.add("b", Role.BIAS, Matrix.of(1, 2, 4f, 5f));
        kernel.grad().data[0] = 0.5f;
        double penalty = WeightDecay.penalty(params, 1e-4);
        WeightDecay.addToGradients(params, 1e-4);
        assertEquals(1e-4 * 0.5 * (1 + 4 + 9), penalty, 1e-12);
        assertEquals(0.5f + 1e-4f, kernel.grad().data[0], 1e-9);
        assertEquals(-2e-4f, kernel.grad().data[1], 1e-10);
        assertEquals(0f, bias.grad().data[0]);

        // The added gradient is the derivative of the penalty (central difference; the penalty is quadratic).
        float h = 1e-2f;
        for (int i = 0; i < 3; i++) {
            float x = kernel.value().data[i];
            kernel.value().data[i] = x + h;
            double up = WeightDecay.penalty(params, 1e-4);
            kernel.value().data[i] = x - h;
            double down = WeightDecay.penalty(params, 1e-4);
            kernel.value().data[i] = x;
            assertEquals(1e-4 * x, (up - down) / (2 * h), 1e-9);
        }
    }

    /** A parameter large enough to be updated in parallel parts: every element as if updated alone. */
    @Test
    void largeParametersUpdateElementByElementAcrossParallelParts() {
        int n = 300_001;
        float[] init = new float[n];
        for (int i = 0; i < n; i++) {
            init[i] = (i % 7) - 3f;
        }
        ParamSet params = new ParamSet();
        Param big = params.add("big", Role.KERNEL, Matrix.of(1, n, init.clone()));
        for (int i = 0; i < n; i++) {
            big.grad().data[i] = (i % 5) - 2f;
        }
        double penalty = WeightDecay.penalty(params, 1e-4);
        WeightDecay.addToGradients(params, 1e-4);
        double sq = 0;
        for (float x : init) {
            sq += (double) x * x;
        }
        assertEquals(0.5e-4 * sq, penalty, 1e-9 * sq);
        new Adam(params).step(0.1);
        for (int i : new int[] {0, 1, n / 2, n / 2 + 1, n - 1}) {
            float g = (i % 5) - 2f + 1e-4f * init[i];
            float m = 0.1f * g;
            float v = 0.001f * g * g;
            float rate = (float) (0.1 * Math.sqrt(1 - 0.999) / (1 - 0.9));
            assertEquals(init[i] - rate * m / ((float) Math.sqrt(v) + 1e-3f), big.value().data[i], 1e-6, "at " + i);
        }
    }

    /** The vector lanes give every element exactly what the one-by-one update gives it, over many steps. */
    @Test
    void theVectorUpdateEqualsTheElementUpdateBitForBit() {
        int n = 1037; // not a multiple of any lane count: the tail runs one by one
        java.util.Random rng = new java.util.Random(5);
        float[][] vec = new float[4][n];
        for (int i = 0; i < n; i++) {
            vec[0][i] = (float) rng.nextGaussian();
        }
        float[][] one = {vec[0].clone(), new float[n], new float[n], new float[n]};
        for (int step = 0; step < 50; step++) {
            for (int i = 0; i < n; i++) {
                float g = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(9) - 6));
                vec[1][i] = g;
                one[1][i] = g;
            }
            Adam.update(vec[0], vec[1], vec[2], vec[3], 0, n, 0.9f, 0.999f, 3e-3f, 1e-3f);
            for (int i = 0; i < n; i++) {
                Adam.updateElement(one[0], one[1], one[2], one[3], i, 0.9f, 0.999f, 3e-3f, 1e-3f);
            }
            for (int k : new int[] {0, 2, 3}) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(one[k], vec[k], "array " + k + ", step " + step);
            }
        }
    }
}
