package dvae.math.autodiff;

import static dvae.math.autodiff.GradCheck.check;
import static dvae.math.autodiff.GradCheck.uniform;

import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

/**
 * One central finite-difference check per tape operation (see {@link GradCheck} for the loss, step and tolerance).
 * Shapes are small and deliberately non-square so that a transposed or mis-indexed gradient cannot pass.
 */
class OpGradientTest {

    private static Matrix u(int rows, int cols, long seed) {
        return uniform(rows, cols, -1, 1, seed);
    }

    @Test
    void matmul() {
        check("matmul", in -> LinearOps.matmul(in[0], in[1]), u(3, 4, 1), u(4, 5, 2));
    }

    @Test
    void matmulTransB() {
        check("a·bᵀ", in -> LinearOps.matmulTransB(in[0], in[1]), u(3, 4, 1), u(5, 4, 2));
    }

    @Test
    void matmulTransA() {
        check("aᵀ·b", in -> LinearOps.matmulTransA(in[0], in[1]), u(4, 3, 1), u(4, 5, 2));
    }

    @Test
    void addBias() {
        check("bias add", in -> LinearOps.addBias(in[0], in[1]), u(3, 4, 1), u(1, 4, 2));
    }

    @Test
    void affine() {
        check("x·k + bias", in -> LinearOps.affine(in[0], in[1], in[2]), u(3, 4, 1), u(4, 5, 2), u(1, 5, 3));
    }

    @Test
    void matmulBatched() {
        // B = 3 examples, n1 = 4, n2 = 5: W is 3 × 20.
        check("z·W_b", in -> LinearOps.matmulBatched(in[0], in[1]), u(3, 4, 1), u(3, 20, 2));
    }

    @Test
    void matmulBatchedTransW() {
        check("y·W_bᵀ", in -> LinearOps.matmulBatchedTransW(in[0], in[1]), u(3, 5, 1), u(3, 20, 2));
    }

    @Test
    void add() {
        check("add", in -> ElementwiseOps.add(in[0], in[1]), u(3, 4, 1), u(3, 4, 2));
    }

    @Test
    void sub() {
        check("sub", in -> ElementwiseOps.sub(in[0], in[1]), u(3, 4, 1), u(3, 4, 2));
    }

    @Test
    void mul() {
        check("mul", in -> ElementwiseOps.mul(in[0], in[1]), u(3, 4, 1), u(3, 4, 2));
    }

    @Test
    void mulOfAValueWithItselfAccumulatesBothPaths() {
        check("x⊙x", in -> ElementwiseOps.mul(in[0], in[0]), u(3, 4, 1));
    }

    @Test
    void scale() {
        check("scale", in -> ElementwiseOps.scale(in[0], -2.5f), u(3, 4, 1));
    }

    @Test
    void tanh() {
        check("tanh", in -> ElementwiseOps.tanh(in[0]), uniform(3, 4, -2, 2, 1));
    }

    @Test
    void sigmoid() {
        check("sigmoid", in -> ElementwiseOps.sigmoid(in[0]), uniform(3, 4, -3, 3, 1));
    }

    @Test
    void softplus() {
        check("softplus", in -> ElementwiseOps.softplus(in[0]), uniform(3, 4, -3, 3, 1));
    }

    @Test
    void logSigmoid() {
        check("log-sigmoid", in -> ElementwiseOps.logSigmoid(in[0]), uniform(3, 4, -3, 3, 1));
    }

    @Test
    void clamp() {
        // Values at least 0.05 (5 steps) from the bounds ±0.5, on both sides, so no difference straddles a kink.
        Matrix x = Matrix.of(2, 4, -0.9f, -0.55f, -0.3f, 0.1f, 0.45f, 0.6f, 1.2f, -0.2f);
        check("clamp", in -> ElementwiseOps.clamp(in[0], -0.5f, 0.5f), x);
    }

    @Test
    void sum() {
        check("sum", in -> ReduceOps.sum(in[0]), u(3, 4, 1));
    }

    @Test
    void mean() {
        check("mean", in -> ReduceOps.mean(in[0]), u(3, 4, 1));
    }

    @Test
    void rowSums() {
        check("rowSums", in -> ReduceOps.rowSums(in[0]), u(3, 4, 1));
    }

    @Test
    void rowMeans() {
        check("rowMeans", in -> ReduceOps.rowMeans(in[0]), u(3, 4, 1));
    }

    @Test
    void columnSums() {
        check("columnSums", in -> ReduceOps.columnSums(in[0]), u(3, 4, 1));
    }

    @Test
    void columnMeans() {
        check("columnMeans", in -> ReduceOps.columnMeans(in[0]), u(3, 4, 1));
    }

    @Test
    void rowLogSumExp() {
        check("row log-sum-exp", in -> ReduceOps.rowLogSumExp(in[0]), uniform(3, 4, -2, 2, 1));
    }

    @Test
    void bernoulliLogLikelihood() {
        // Gradient to both the logits and x (x would be data in a model; here it is a variable to check its term).
        check("Bernoulli log-likelihood", in -> ReduceOps.bernoulliLogLikelihood(in[0], in[1]),
                uniform(3, 4, 0, 1, 1), uniform(3, 4, -3, 3, 2));
    }

    @Test
    void bernoulliLogLikelihoodInVectorLanes() {
        // Rows of 37: two vectors of lanes and an overlapping ragged one (rows shorter than a vector run scalar).
        check("Bernoulli log-likelihood, lanes", in -> ReduceOps.bernoulliLogLikelihood(in[0], in[1]),
                uniform(3, 37, 0, 1, 1), uniform(3, 37, -3, 3, 2));
    }

    @Test
    void concatColumns() {
        check("concat", in -> ShapeOps.concatColumns(in[0], in[1], in[2]), u(3, 2, 1), u(3, 4, 2), u(3, 1, 3));
    }

    @Test
    void sliceColumns() {
        check("slice", in -> ShapeOps.sliceColumns(in[0], 1, 4), u(3, 5, 1));
    }

    @Test
    void reshape() {
        // Reshape then multiply by a non-square matrix, so a wrong element order would change the gradient.
        check("reshape", in -> LinearOps.matmul(ShapeOps.reshape(in[0], 4, 3), in[1]), u(2, 6, 1), u(3, 2, 2));
    }

    @Test
    void batchNormTraining() {
        Matrix mm = new Matrix(1, 4);
        Matrix mv = new Matrix(1, 4);
        check("batch norm (training)", in -> BatchNormOps.batchNormTraining(in[0], in[1], in[2], mm, mv, 1e-2f, 0.99f),
                uniform(6, 4, -2, 2, 1), uniform(1, 4, 0.5, 1.5, 2), u(1, 4, 3));
    }

    @Test
    void batchNormTrainingOfAColumnWindowScaled() {
        // Columns 2..5 of a 7-column input: the columns outside the window must get no gradient.
        Matrix mm = new Matrix(1, 4);
        Matrix mv = new Matrix(1, 4);
        check("scaled batch norm of columns 2..5 (training)", in -> BatchNormOps.batchNormTraining(in[0], 2, 6, in[1],
                        in[2], mm, mv, 1e-2f, 0.99f, -1.75f),
                uniform(6, 7, -2, 2, 1), uniform(1, 4, 0.5, 1.5, 2), u(1, 4, 3));
    }

    @Test
    void batchNormInferenceOfAColumnWindowScaled() {
        Matrix mm = u(1, 4, 4);
        Matrix mv = uniform(1, 4, 0.5, 2, 5);
        check("scaled batch norm of columns 1..4 (inference)", in -> BatchNormOps.batchNormInference(in[0], 1, 5,
                        in[1], in[2], mm, mv, 1e-2f, 2.5f),
                uniform(6, 7, -2, 2, 1), uniform(1, 4, 0.5, 1.5, 2), u(1, 4, 3));
    }

    @Test
    void batchNormInference() {
        Matrix mm = u(1, 4, 4);
        Matrix mv = uniform(1, 4, 0.5, 2, 5);
        check("batch norm (inference)", in -> BatchNormOps.batchNormInference(in[0], in[1], in[2], mm, mv, 1e-2f),
                uniform(6, 4, -2, 2, 1), uniform(1, 4, 0.5, 1.5, 2), u(1, 4, 3));
    }
}
