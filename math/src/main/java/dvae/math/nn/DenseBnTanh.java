package dvae.math.nn;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hidden layer of every network in the paper: tanh(BN(x·K)). The dense part has no bias: BN subtracts the batch
 * mean, so a bias there would get an exactly zero gradient; BN's β plays its part.
 */
public final class DenseBnTanh implements Layer {
    private final Dense dense;
    private final BatchNorm norm;

    /** Registers {@code name/dense/kernel} and the {@code name/bn/…} tensors; γ is weight-decayed. */
    public DenseBnTanh(ParamSet params, String name, int in, int out, BatchNorm.Config bn, RandomStream rng) {
        this.dense = new Dense(params, name + "/dense", in, out, false, rng);
        this.norm = new BatchNorm(params, name + "/bn", out, bn, true);
    }

    @Override
    public Var forward(Var x, Mode mode) {
        return ElementwiseOps.tanh(norm.forward(dense.forward(x, mode), mode));
    }

    @Override
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> steps = new ArrayList<>(dense.describe());
        steps.addAll(norm.describe());
        steps.add(Map.of("op", "tanh"));
        return steps;
    }

    /** This layer for {@link FoldedMlp}: batch norm folded into the kernel, then tanh. */
    FoldedMlp.Stage folded() {
        FoldedMlp.Stage linear = norm.foldInto(dense.folded());
        return new FoldedMlp.Stage(linear.kernel(), linear.in(), linear.out(), linear.bias(), true);
    }
}
