package dvae.math.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    void weightDecayAddsThePenaltysGradientToDecayedParametersOnlyInsideTheStep() {
        float[] kernelInit = {1f, -2f, 3f};
        float[] kernelGrad = {0.5f, 0f, -0.25f};
        float[] biasInit = {4f, 5f};
        float[] biasGrad = {0.125f, -1f};
        ParamSet decayed = new ParamSet();
        Param kernel = decayed.add("k", Role.KERNEL, Matrix.of(1, 3, kernelInit.clone()));
        Param bias = decayed.add("b", Role.BIAS, Matrix.of(1, 2, biasInit.clone()));
        System.arraycopy(kernelGrad, 0, kernel.grad().data, 0, 3);
        System.arraycopy(biasGrad, 0, bias.grad().data, 0, 2);
        // The same step on the gradient with coefficient·θ added by hand to the kernel's alone.
        ParamSet byHand = new ParamSet();
        Param kernel2 = byHand.add("k", Role.KERNEL, Matrix.of(1, 3, kernelInit.clone()));
        Param bias2 = byHand.add("b", Role.BIAS, Matrix.of(1, 2, biasInit.clone()));
        for (int i = 0; i < 3; i++) {
            kernel2.grad().data[i] = kernelGrad[i] + 1e-4f * kernelInit[i];
        }
        System.arraycopy(biasGrad, 0, bias2.grad().data, 0, 2);

        double penalty = WeightDecay.penalty(decayed, 1e-4);
        Adam adam = new Adam(decayed);
        Adam adam2 = new Adam(byHand);
        adam.step(0.1, 1e-4);
        adam2.step(0.1);
        assertEquals(1e-4 * 0.5 * (1 + 4 + 9), penalty, 1e-12);
        assertArrayEquals(kernel2.value().data, kernel.value().data);
        assertArrayEquals(adam2.firstMoment(kernel2).data, adam.firstMoment(kernel).data);
        assertArrayEquals(adam2.secondMoment(kernel2).data, adam.secondMoment(kernel).data);
        assertArrayEquals(bias2.value().data, bias.value().data);
        assertArrayEquals(kernelGrad, kernel.grad().data, "the gradient is left as it was");

        // What the step adds, coefficient·θ, is the derivative of the penalty (central difference; it is quadratic).
        float h = 1e-2f;
        for (int i = 0; i < 3; i++) {
            float x = kernelInit[i];
            kernel2.value().data[i] = x + h;
            double up = WeightDecay.penalty(byHand, 1e-4);
            kernel2.value().data[i] = x - h;
            double down = WeightDecay.penalty(byHand, 1e-4);
            assertEquals(1e-4 * x, (up - down) / (2 * h), 1e-9);
        }
    }

    /** A large decayed parameter: its vector lanes and tail follow the formula. */
    @Test
    void aLargeDecayedParameterUpdatesAsTheFormulaSays() {
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
        double sq = 0;
        for (float x : init) {
            sq += (double) x * x;
        }
        assertEquals(0.5e-4 * sq, penalty, 1e-9 * sq);
        new Adam(params).step(0.1, 1e-4);
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
            float decay = step % 2 == 0 ? 0f : 1e-4f; // without weight decay and with it
            Adam.update(vec[0], vec[1], vec[2], vec[3], decay, 0.9f, 0.999f, 3e-3f, 1e-3f);
            for (int i = 0; i < n; i++) {
                Adam.updateElement(one[0], one[1], one[2], one[3], i, decay, 0.9f, 0.999f, 3e-3f, 1e-3f);
            }
            for (int k : new int[] {0, 2, 3}) {
                assertArrayEquals(one[k], vec[k], "array " + k + ", step " + step);
            }
        }
    }

    @Test
    void aStepInTwoPartsUpdatesTheFirstBeforeTheCallbackAndEqualsTheWholeStep() {
        float[][] results = new float[2][];
        for (int split = 0; split < 2; split++) {
            ParamSet params = new ParamSet();
            Param a = params.add("a", Role.KERNEL, Matrix.of(1, 3, 1f, -2f, 3f));
            Param b = params.add("b", Role.BIAS, Matrix.of(1, 2, 0.5f, -0.25f));
            Adam adam = new Adam(params);
            for (int step = 0; step < 3; step++) {
                a.grad().data[0] = 0.3f + step;
                a.grad().data[2] = -1.5f;
                b.grad().data[1] = 2f - step;
                if (split == 0) {
                    adam.step(1e-2, 1e-4);
                } else {
                    float[] bBefore = b.value().data.clone();
                    float[] aBefore = a.value().data.clone();
                    adam.step(1e-2, 1e-4, java.util.Set.of(a), () -> {
                        assertArrayEquals(bBefore, b.value().data, "b waits for the callback");
                        assertEquals(false, java.util.Arrays.equals(aBefore, a.value().data), "a is updated first");
                    });
                }
            }
            results[split] = new float[] {a.value().data[0], a.value().data[1], a.value().data[2], b.value().data[0],
                b.value().data[1]};
        }
        assertArrayEquals(results[0], results[1]);
    }
}
