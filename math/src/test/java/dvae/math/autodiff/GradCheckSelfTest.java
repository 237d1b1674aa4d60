package dvae.math.autodiff;

import static dvae.math.autodiff.GradCheck.check;
import static dvae.math.autodiff.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

/** The gradient check must fail on deliberately broken operations, or its passes would prove nothing. */
class GradCheckSelfTest {

    /** tanh whose backward has a stray factor of 2. */
    private static Var tanhWithFactorTwo(Var x) {
        Matrix out = new Matrix(x.rows(), x.cols());
        for (int i = 0; i < out.data.length; i++) {
            out.data[i] = (float) Math.tanh(x.value().data[i]);
        }
        return x.tape().record(out, dy -> {
            for (int i = 0; i < dy.data.length; i++) {
                x.grad().data[i] += 2 * dy.data[i] * (1 - out.data[i] * out.data[i]);
            }
        }, x);
    }

    /** x ⊙ y whose backward overwrites instead of accumulating: loses a path when both operands are the same. */
    private static Var mulThatOverwrites(Var a, Var b) {
        Matrix out = new Matrix(a.rows(), a.cols());
        for (int i = 0; i < out.data.length; i++) {
            out.data[i] = a.value().data[i] * b.value().data[i];
        }
        return a.tape().record(out, dy -> {
            for (int i = 0; i < dy.data.length; i++) {
                a.grad().data[i] = dy.data[i] * b.value().data[i];
                b.grad().data[i] = dy.data[i] * a.value().data[i];
            }
        }, a, b);
    }

    private static void assertGradientErrorFound(Executable check) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, check);
        assertTrue(e.getMessage().contains("relative gradient error"), e.getMessage());
    }

    @Test
    void aFactorOfTwoFails() {
        assertGradientErrorFound(() -> check("broken tanh", in -> tanhWithFactorTwo(in[0]), uniform(3, 4, -2, 2, 1)));
    }

    @Test
    void aLostPathFails() {
        assertGradientErrorFound(
                () -> check("broken x⊙x", in -> mulThatOverwrites(in[0], in[0]), uniform(3, 4, -1, 1, 1)));
    }

    @Test
    void batchNormWithoutTheTermsThroughTheBatchStatisticsFails() {
        // Normalising by the batch's own statistics held constant gives the training-mode output, but drops the
        // gradient paths through μ and σ²: the classic batch-norm bug.
        Matrix gamma = uniform(1, 4, 0.5, 1.5, 2);
        Matrix beta = uniform(1, 4, -1, 1, 3);
        assertGradientErrorFound(() -> check("BN with constant statistics", in -> {
            Matrix mean = new Matrix(1, 4);
            Matrix var = new Matrix(1, 4);
            BatchNormOps.batchNormTraining(in[0].tape().constant(in[0].value()), in[0].tape().constant(gamma),
                    in[0].tape().constant(beta), mean, var, 1e-2f, 0f); // momentum 0: moving = batch statistics
            return BatchNormOps.batchNormInference(in[0], in[0].tape().constant(gamma), in[0].tape().constant(beta),
                    mean, var, 1e-2f);
        }, uniform(6, 4, -2, 2, 1)));
    }
}
