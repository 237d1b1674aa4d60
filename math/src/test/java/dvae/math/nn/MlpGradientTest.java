package dvae.math.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.autodiff.GradCheck;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * End to end: a two-hidden-layer MLP with batch norm (training mode) into a Bernoulli log-likelihood, every trainable
 * parameter and the input checked by central differences (tolerances as in {@link GradCheck}).
 */
class MlpGradientTest {

    @Test
    void twoLayerMlpWithBatchNormThroughABernoulliLoss() {
        ParamSet params = new ParamSet();
        Mlp mlp = Mlp.builder("net", 6).hidden(5, 4).output(7).build(params, new RandomStream(1));
        Matrix x = GradCheck.uniform(8, 6, -1, 1, 2);
        Matrix pixels = new Matrix(8, 7);
        RandomStream rng = new RandomStream(3);
        for (int i = 0; i < pixels.data.length; i++) {
            pixels.data[i] = rng.nextFloat() < 0.5f ? 1f : 0f;
        }
        Function<Tape, Var> forward = t -> ReduceOps.bernoulliLogLikelihood(t.constant(pixels),
                mlp.forward(t.variable(x), Mode.TRAIN));

        Matrix weights = GradCheck.weightsFor(forward.apply(new Tape()).value());
        params.zeroGrads();
        Tape tape = new Tape();
        Var input = tape.variable(x);
        tape.backward(ReduceOps.bernoulliLogLikelihood(tape.constant(pixels), mlp.forward(input, Mode.TRAIN)), weights);

        assertEquals(8, params.trainable().size()); // 2 × (kernel, γ, β) + output kernel, bias
        for (Param p : params.trainable()) {
            GradCheck.assertClose(p.name(), p.grad(), GradCheck.numericGradient(forward, p.value(), weights));
        }
        GradCheck.assertClose("input", input.grad(), GradCheck.numericGradient(forward, x, weights));
    }
}
