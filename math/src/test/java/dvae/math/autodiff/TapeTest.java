package dvae.math.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The tape's own behaviour: constants, stop-gradient, accumulation, bookkeeping and numeric extremes. */
class TapeTest {

    @Test
    void operationsOnConstantsRecordNothing() {
        Tape t = new Tape();
        Var y = ElementwiseOps.tanh(LinearOps.matmul(t.constant(Matrix.of(1, 2, 1, 2)), t.constant(Matrix.of(2, 1, 3, 4))));
        assertFalse(y.needsGrad());
        assertEquals(0, t.size());
        assertEquals(Math.tanh(11), y.value().data[0], 1e-6);
    }

    @Test
    void stopGradientBlocksTheGradient() {
        // d/dx [x ⊙ sg(x)] = sg(x) = x, where the true derivative of x² is 2x.
        Tape t = new Tape();
        Matrix xs = Matrix.of(1, 3, 0.5f, -1f, 2f);
        Var x = t.variable(xs);
        Var sg = ShapeOps.stopGradient(x);
        assertFalse(sg.needsGrad());
        t.backward(ReduceOps.sum(ElementwiseOps.mul(x, sg)));
        assertArrayEquals(xs.data, x.grad().data, 0f);
    }

    @Test
    void gradientsOfAValueUsedTwiceAdd() {
        Tape t = new Tape();
        Var x = t.variable(Matrix.of(1, 2, 1f, 2f));
        t.backward(ReduceOps.sum(ElementwiseOps.add(ElementwiseOps.scale(x, 3f), ElementwiseOps.tanh(x))));
        assertEquals(3 + 1 - Math.pow(Math.tanh(1), 2), x.grad().data[0], 1e-6);
        assertEquals(3 + 1 - Math.pow(Math.tanh(2), 2), x.grad().data[1], 1e-6);
    }

    @Test
    void backwardOfALossNeedsAScalar() {
        Tape t = new Tape();
        Var x = t.variable(new Matrix(2, 2));
        assertThrows(IllegalArgumentException.class, () -> t.backward(ElementwiseOps.tanh(x)));
    }

    @Test
    void backwardRunsOncePerTape() {
        Tape t = new Tape();
        Var loss = ReduceOps.sum(t.variable(new Matrix(2, 2)));
        t.backward(loss);
        assertThrows(IllegalStateException.class, () -> t.backward(loss));
    }

    @Test
    void operandsFromTwoTapesAreRejected() {
        Var a = new Tape().variable(new Matrix(2, 2));
        Var b = new Tape().variable(new Matrix(2, 2));
        assertThrows(IllegalArgumentException.class, () -> ElementwiseOps.add(a, b));
    }

    @Test
    void constantsHaveNoGradient() {
        Var c = new Tape().constant(new Matrix(1, 1));
        assertThrows(IllegalStateException.class, c::grad);
    }

    @Test
    void batchedProductsMatchPlainProductsPerExample() {
        Matrix z = GradCheck.uniform(3, 4, -1, 1, 1);
        Matrix y = GradCheck.uniform(3, 5, -1, 1, 2);
        Matrix w = GradCheck.uniform(3, 20, -1, 1, 3);
        Tape t = new Tape();
        Matrix zw = LinearOps.matmulBatched(t.constant(z), t.constant(w)).value();
        Matrix ywt = LinearOps.matmulBatchedTransW(t.constant(y), t.constant(w)).value();
        for (int b = 0; b < 3; b++) {
            for (int j = 0; j < 5; j++) {
                double s = 0;
                for (int i = 0; i < 4; i++) {
                    s += z.get(b, i) * w.get(b, i * 5 + j);
                }
                assertEquals(s, zw.get(b, j), 1e-5);
            }
            for (int i = 0; i < 4; i++) {
                double s = 0;
                for (int j = 0; j < 5; j++) {
                    s += y.get(b, j) * w.get(b, i * 5 + j);
                }
                assertEquals(s, ywt.get(b, i), 1e-5);
            }
        }
    }

    @Test
    void extremeLogitsStayFinite() {
        Tape t = new Tape();
        Var l = t.variable(Matrix.of(1, 4, -200f, -30f, 30f, 200f));
        Var x = t.constant(Matrix.of(1, 4, 0f, 1f, 0f, 1f));
        Var ll = ReduceOps.bernoulliLogLikelihood(x, l);
        // Σ x·l − softplus(l) = 0 + (−30 − ε) + (0 − 30 − ε) + (200 − 200), ε = log1p(e^−30)
        assertEquals(-60 - 2 * Math.log1p(Math.exp(-30)), ll.value().data[0], 1e-4);
        Var everything = ElementwiseOps.add(ElementwiseOps.add(ElementwiseOps.softplus(l), ElementwiseOps.logSigmoid(l)),
                ElementwiseOps.sigmoid(l));
        t.backward(ReduceOps.sum(ShapeOps.concatColumns(everything, ll, ReduceOps.rowLogSumExp(l))));
        for (float v : everything.value().data) {
            assertTrue(Float.isFinite(v));
        }
        for (float g : l.grad().data) {
            assertTrue(Float.isFinite(g));
        }
        Var lse = ReduceOps.rowLogSumExp(t.constant(Matrix.of(1, 2, 1000f, 1000f)));
        assertEquals(1000 + Math.log(2), lse.value().data[0], 1e-3);
    }
}
