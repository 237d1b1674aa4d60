package dvae.math.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dvae.math.autodiff.GradCheck;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

class RelaxOpsTest {
    private static Matrix gaussian(int rows, int cols, long seed) {
        RandomStream rng = new RandomStream(seed);
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) rng.nextGaussian();
        }
        return m;
    }

    @Test
    void concreteOpPassesTheGradientCheck() {
        Matrix logits = gaussian(3, 4, 1);
        float[] noise = new float[12];
        // Noise near 1 − σ(l) keeps ζ off saturation, so the check has teeth.
        for (int i = 0; i < 12; i++) {
            noise[i] = (float) (1 - Relaxation.sigmoid(logits.data[i]) + 0.02 * ((i % 3) - 1));
        }
        GradCheck.check("concrete", in -> RelaxOps.relax(in[0], new Concrete(10), noise), logits);
    }

    @Test
    void pwlOpPassesTheGradientCheckInsideTheLinearRegion() {
        Matrix logits = gaussian(4, 5, 2);
        float[] noise = new float[20];
        for (int i = 0; i < 20; i++) {
            double q = Relaxation.sigmoid(logits.data[i]);
            double halfWidth = (q * (1 - q) + 0.01) / 2; // for β = 4 the linear region is |ρ − (1−q)| < halfWidth
            noise[i] = (float) (1 - q + 0.3 * halfWidth * ((i % 3) - 1));
        }
        GradCheck.check("pwl", in -> RelaxOps.relax(in[0], new PiecewiseLinear(4), noise), logits);
    }

    @Test
    void powerFunctionOpUsesBothNoiseBlocksAndChainsItsGradient() {
        Matrix logits = gaussian(2, 3, 3);
        float[] noise = new float[12];
        RandomStream rng = new RandomStream(4);
        rng.fillUniform(noise);
        Tape tape = new Tape();
        Var l = tape.variable(logits);
        Var zeta = RelaxOps.relax(l, new PowerFunction(30), noise);
        tape.backward(zeta, Matrix.of(2, 3, 1, 2, 3, 4, 5, 6));
        float[] expectZeta = new float[6];
        float[] expectGrad = new float[6];
        new PowerFunction(30).relax(logits.data, noise, expectZeta, expectGrad, 6);
        for (int i = 0; i < 6; i++) {
            assertEquals(expectZeta[i], zeta.value().data[i]);
            assertEquals((i + 1) * expectGrad[i], l.grad().data[i], 1e-6);
        }
        assertThrows(IllegalArgumentException.class,
                () -> RelaxOps.relax(tape.variable(logits), new PowerFunction(30), new float[6]));
    }

    @Test
    void discreteCompanionAgreesWithTheRelaxedSampleSide() {
        Matrix logits = gaussian(10, 10, 5);
        float[] noise = new float[100];
        new RandomStream(6).fillUniform(noise);
        Matrix z = RelaxOps.discreteCompanion(logits, noise);
        Var zeta = RelaxOps.relax(new Tape().constant(logits), new PiecewiseLinear(4), noise);
        for (int i = 0; i < 100; i++) {
            assertEquals(z.data[i] == 1f, zeta.value().data[i] > 0.5f, "unit " + i);
        }
    }
}
