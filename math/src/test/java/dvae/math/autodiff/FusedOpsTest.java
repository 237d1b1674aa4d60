package dvae.math.autodiff;

import static dvae.math.autodiff.GradCheck.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The fused operations give the values and gradients of the operations they replace bit for bit (the finite-difference
 * checks are in {@link OpGradientTest}), on inputs wide enough to run in parallel parts and vector lanes: training
 * runs are repeatable across the change, and the reference run's losses stay as they were.
 */
public class FusedOpsTest {
    @Test
    void affineEqualsMatmulThenBias() {
        RandomStream rng = new RandomStream(3);
        List<Matrix> inputs = List.of(gaussian(100, 200, rng), gaussian(200, 700, rng), gaussian(1, 700, rng));
        assertSameRun(inputs, in -> LinearOps.affine(in.get(0), in.get(1), in.get(2)),
                in -> LinearOps.addBias(LinearOps.matmul(in.get(0), in.get(1)), in.get(2)));
    }

    @Test
    void windowedScaledBatchNormEqualsSliceNormaliseScale() {
        RandomStream rng = new RandomStream(4);
        int rows = 20;
        int from = 37;
        int to = from + 3000; // two parallel parts, vector blocks and leftover columns
        Matrix x = gaussian(rows, to + 11, rng);
        for (int i = 0; i < x.data.length; i += 7) {
            x.data[i] = x.data[i] * 1e-3f + 40f; // some columns with a mean far above their spread
        }
        List<Matrix> inputs = List.of(x, gaussian(1, to - from, rng), gaussian(1, to - from, rng));
        float scale = 4 * (float) (1.0 / Math.sqrt(100)); // the RBM posterior's factor: 4 times a float
        for (boolean training : new boolean[] {true, false}) {
            Matrix[] movingFused = moving(to - from);
            Matrix[] movingComposed = moving(to - from);
            assertSameRun(inputs, in -> training
                            ? BatchNormOps.batchNormTraining(in.get(0), from, to, in.get(1), in.get(2),
                                    movingFused[0], movingFused[1], 1e-2f, 0.99f, scale)
                            : BatchNormOps.batchNormInference(in.get(0), from, to, in.get(1), in.get(2),
                                    movingFused[0], movingFused[1], 1e-2f, scale),
                    in -> {
                        Var slice = ShapeOps.sliceColumns(in.get(0), from, to);
                        Var bn = training
                                ? BatchNormOps.batchNormTraining(slice, in.get(1), in.get(2), movingComposed[0],
                                        movingComposed[1], 1e-2f, 0.99f)
                                : BatchNormOps.batchNormInference(slice, in.get(1), in.get(2), movingComposed[0],
                                        movingComposed[1], 1e-2f);
                        // The composed form of the model before the fusion: J = s·BN, W = 4J.
                        return ElementwiseOps.scale(ElementwiseOps.scale(bn, scale / 4), 4f);
                    });
            assertArrayEquals(movingComposed[0].data, movingFused[0].data, "moving mean");
            assertArrayEquals(movingComposed[1].data, movingFused[1].data, "moving variance");
        }
    }

    private static Matrix[] moving(int cols) {
        Matrix variance = new Matrix(1, cols);
        variance.fill(1f);
        return new Matrix[] {new Matrix(1, cols), variance};
    }

    /**
     * Runs both forms forward and backward from the same random upstream gradient on fresh copies of the inputs and
     * asserts equal outputs and input gradients.
     */
    public static void assertSameRun(List<Matrix> inputs, Function<List<Var>, Var> fused,
                              Function<List<Var>, Var> composed) {
        Matrix[] fusedResult = run(inputs, fused);
        Matrix[] composedResult = run(inputs, composed);
        assertArrayEquals(composedResult[0].data, fusedResult[0].data, "output");
        for (int i = 1; i < fusedResult.length; i++) {
            assertArrayEquals(composedResult[i].data, fusedResult[i].data, "gradient of input " + (i - 1));
        }
    }

    private static Matrix[] run(List<Matrix> inputs, Function<List<Var>, Var> f) {
        Tape tape = new Tape();
        List<Var> in = inputs.stream().map(m -> tape.variable(m.copy())).toList();
        Var out = f.apply(in);
        tape.backward(out, gaussian(out.rows(), out.cols(), new RandomStream(99)));
        Matrix[] result = new Matrix[1 + in.size()];
        result[0] = out.value();
        for (int i = 0; i < in.size(); i++) {
            result[i + 1] = in.get(i).grad();
        }
        return result;
    }
}
