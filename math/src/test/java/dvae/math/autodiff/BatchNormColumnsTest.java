package dvae.math.autodiff;

import static dvae.math.autodiff.GradCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

/**
 * Batch norm over columns wide enough to run in parallel column ranges and in vector lanes (the finite-difference
 * check in {@link OpGradientTest} uses narrow ones): each column's output, moving statistics and gradients equal,
 * bit for bit, those of the same column normalised on its own (which takes the scalar loops).
 */
class BatchNormColumnsTest {
    private static final int ROWS = 5;

    @Test
    void wideBatchNormEqualsEachColumnNormalisedAlone() {
        int cols = 3000; // two parallel parts of 1500 columns: vector blocks and 1500 % 16 leftover columns each
        RandomStream rng = new RandomStream(9);
        Matrix x = gaussian(ROWS, cols, rng);
        for (int i = 0; i < x.data.length; i += 7) {
            x.data[i] = x.data[i] * 1e-3f + 40f; // some columns with a mean far above their spread
        }
        Matrix gamma = gaussian(1, cols, rng);
        Matrix beta = gaussian(1, cols, rng);
        Matrix upstream = gaussian(ROWS, cols, rng);
        Result wide = run(x, gamma, beta, upstream);
        for (int c : new int[] {0, 1, 7, 15, 16, 17, 1487, 1488, 1499, 1500, 1501, 2983, 2984, cols - 1}) {
            Result alone = run(column(x, c), column(gamma, c), column(beta, c), column(upstream, c));
            assertArrayEquals(alone.out.data, column(wide.out, c).data, "output of column " + c);
            assertArrayEquals(alone.dx.data, column(wide.dx, c).data, "dx of column " + c);
            assertArrayEquals(alone.dGamma.data, column(wide.dGamma, c).data, "dγ of column " + c);
            assertArrayEquals(alone.dBeta.data, column(wide.dBeta, c).data, "dβ of column " + c);
            assertArrayEquals(alone.movingMean.data, column(wide.movingMean, c).data, "moving mean of column " + c);
            assertArrayEquals(alone.movingVar.data, column(wide.movingVar, c).data, "moving variance of column " + c);
        }
    }

    private record Result(Matrix out, Matrix dx, Matrix dGamma, Matrix dBeta, Matrix movingMean, Matrix movingVar) {
    }

    private static Result run(Matrix x, Matrix gamma, Matrix beta, Matrix upstream) {
        Tape tape = new Tape();
        Var in = tape.variable(copy(x));
        Var g = tape.variable(copy(gamma));
        Var b = tape.variable(copy(beta));
        Matrix movingMean = new Matrix(1, x.cols);
        Matrix movingVar = new Matrix(1, x.cols);
        java.util.Arrays.fill(movingVar.data, 1f);
        Var out = BatchNormOps.batchNormTraining(in, g, b, movingMean, movingVar, 1e-2f, 0.99f);
        tape.backward(out, upstream);
        return new Result(out.value(), in.grad(), g.grad(), b.grad(), movingMean, movingVar);
    }

    private static Matrix column(Matrix m, int c) {
        Matrix out = new Matrix(m.rows, 1);
        for (int r = 0; r < m.rows; r++) {
            out.data[r] = m.data[r * m.cols + c];
        }
        return out;
    }

    private static Matrix copy(Matrix m) {
        Matrix out = new Matrix(m.rows, m.cols);
        System.arraycopy(m.data, 0, out.data, 0, m.data.length);
        return out;
    }
}
