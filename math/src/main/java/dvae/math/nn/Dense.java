package dvae.math.nn;

import dvae.math.autodiff.LinearOps;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Role;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.util.List;
import java.util.Map;

/** x·K (+ b): kernel K (in×out, He-initialised, weight-decayed) and an optional bias b (1×out, zero, not decayed). */
public final class Dense implements Layer {
    private final Param kernel;
    private final Param bias;

    /** Registers {@code name/kernel} and, when withBias, {@code name/bias}. */
    public Dense(ParamSet params, String name, int in, int out, boolean withBias, RandomStream rng) {
        this.kernel = params.add(name + "/kernel", Role.KERNEL, Initializers.heTruncatedNormal(in, out, rng));
        this.bias = withBias ? params.add(name + "/bias", Role.BIAS, new Matrix(1, out)) : null;
    }

    @Override
    public Var forward(Var x, Mode mode) {
        Var k = x.tape().param(kernel);
        return bias == null ? LinearOps.matmul(x, k) : LinearOps.affine(x, k, x.tape().param(bias));
    }

    @Override
    public List<Map<String, Object>> describe() {
        return bias == null ? List.of(Map.of("op", "matmul", "kernel", kernel.name()))
                : List.of(Map.of("op", "matmul", "kernel", kernel.name()), Map.of("op", "add", "bias", bias.name()));
    }

    /** This layer for {@link FoldedMlp}: copies of the kernel and the bias (zeros when it has none), no tanh. */
    FoldedMlp.Stage folded() {
        Matrix k = kernel.value();
        return new FoldedMlp.Stage(k.data.clone(), k.rows, k.cols,
                bias == null ? new float[k.cols] : bias.value().data.clone(), false);
    }
}
