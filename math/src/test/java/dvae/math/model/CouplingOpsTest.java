package dvae.math.model;

import static dvae.math.autodiff.GradCheck.check;
import static dvae.math.autodiff.GradCheck.uniform;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.FusedOpsTest;
import dvae.math.autodiff.GradCheck;
import dvae.math.autodiff.LinearOps;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.ShapeOps;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

class CouplingOpsTest {
    @Test
    void gradientMatchesFiniteDifferences() {
        // 3 examples of 4+5 units; the fields have two extra columns, which must get no gradient.
        check("RBM biases from fields and couplings", in -> CouplingOps.biases(in[0], in[1], 4, 5),
                uniform(3, 11, -1, 1, 1), uniform(3, 20, -1, 1, 2));
    }

    @Test
    void equalsTheSeparateOperationsBitForBit() {
        int rows = 20;
        int n1 = 100;
        int n2 = 100; // 10,000 couplings per row: two parallel parts
        RandomStream rng = new RandomStream(5);
        List<Matrix> inputs = List.of(GradCheck.gaussian(rows, n1 + n2 + 3, rng),
                GradCheck.gaussian(rows, n1 * n2, rng));
        // Both forms also return W = 4J beside the biases, so that W's gradient from elsewhere meets theirs.
        FusedOpsTest.assertSameRun(inputs, in -> {
            Var w = ElementwiseOps.scale(in.get(1), 4f);
            return ShapeOps.concatColumns(CouplingOps.biases(in.get(0), w, n1, n2), w);
        }, in -> {
            Var fields = in.get(0);
            Var j = in.get(1);
            Var rowSums = ShapeOps.reshape(ReduceOps.rowSums(ShapeOps.reshape(j, rows * n1, n2)), rows, n1);
            Matrix ones = new Matrix(rows, n1);
            ones.fill(1f);
            Var columnSums = LinearOps.matmulBatched(j.tape().constant(ones), j);
            Var b1 = ElementwiseOps.scale(ElementwiseOps.sub(ShapeOps.sliceColumns(fields, 0, n1), rowSums), 2f);
            Var b2 = ElementwiseOps.scale(ElementwiseOps.sub(ShapeOps.sliceColumns(fields, n1, n1 + n2),
                    columnSums), 2f);
            return ShapeOps.concatColumns(b1, b2, ElementwiseOps.scale(j, 4f));
        });
    }
}
