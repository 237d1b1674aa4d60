package dvae.math.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.GradCheck;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Role;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayersTest {

    @Test
    void heInitialiserIsATwoSigmaTruncatedNormalWithTf1Scale() {
        int fanIn = 400;
        Matrix k = Initializers.heTruncatedNormal(fanIn, 500, new RandomStream(7));
        double sd = Math.sqrt(1.3 * 2.0 / fanIn);
        double sum = 0;
        double sq = 0;
        for (float w : k.data) {
            assertTrue(Math.abs(w) <= 2 * sd + 1e-7, "beyond two standard deviations: " + w);
            sum += w;
            sq += (double) w * w;
        }
        int n = k.size();
        // A normal truncated at ±2σ keeps 0.7737 of its variance, so the 1.3 brings it back to about 2/fanIn.
        assertEquals(0, sum / n, 3 * sd / Math.sqrt(n));
        assertEquals(sd * sd * 0.77374, sq / n, 0.02 * sd * sd);
    }

    /** A small MLP with its moving statistics and affine parameters away from their initial values. */
    private static Mlp perturbedNet(ParamSet params, RandomStream rng) {
        Mlp net = Mlp.builder("dec", 6).hidden(9, 7).output(5).build(params, new RandomStream(3));
        for (Param p : params.all()) {
            for (int i = 0; i < p.value().data.length; i++) {
                p.value().data[i] += (float) (p.name().endsWith("variance") ? 0.5 + rng.nextFloat()
                        : 0.3 * rng.nextGaussian());
            }
        }
        return net;
    }

    @Test
    void theFoldedNetworkGivesTheTapesEvalValuesUpToRoundingWithOrWithoutItsOutputBias() {
        RandomStream rng = new RandomStream(4);
        ParamSet params = new ParamSet();
        Mlp net = perturbedNet(params, rng);
        Matrix x = GradCheck.gaussian(11, 6, rng);
        float[] expected = net.forward(Tape.inference().constant(x), Mode.EVAL).value().data;
        FoldedMlp folded = net.folded();
        assertEquals(6, folded.inputs());
        assertEquals(5, folded.outputs());
        float[] whole = folded.forward(x.data, 0, 11, true);
        float[] withoutBias = folded.forward(x.data, 0, 11, false);
        float[] bias = params.get("dec/output/bias").value().data;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], whole[i], 1e-5 * (1 + Math.abs(expected[i])), "element " + i);
            assertEquals(whole[i], withoutBias[i] + bias[i % 5], 1e-6 * (1 + Math.abs(whole[i])), "element " + i);
        }
        // rows 3..7 alone are the same rows of the whole pass, bit for bit
        float[] part = folded.forward(x.data, 3, 5, true);
        for (int i = 0; i < part.length; i++) {
            assertEquals(Float.floatToRawIntBits(whole[3 * 5 + i]), Float.floatToRawIntBits(part[i]), "element " + i);
        }
        // a snapshot: later changes to the parameters do not reach it
        params.get("dec/output/bias").value().data[0] += 1f;
        assertEquals(Float.floatToRawIntBits(whole[0]), Float.floatToRawIntBits(folded.forward(x.data, 0, 1, true)[0]));
    }

    @Test
    void aFoldedNetworkEndingInTanhKeepsItsOutputBias() {
        Mlp net = Mlp.builder("enc", 3).hidden(4).build(new ParamSet(), new RandomStream(1));
        assertThrows(IllegalStateException.class, () -> net.folded().forward(new float[3], 0, 1, false));
    }

    @Test
    void anInferenceTapeGivesTheTrainingTapesEvalValuesBitForBitAndRecordsNothing() {
        RandomStream rng = new RandomStream(4);
        Mlp net = perturbedNet(new ParamSet(), rng);
        Matrix x = GradCheck.gaussian(11, 6, rng);
        Tape training = new Tape();
        Var expected = net.forward(training.constant(x), Mode.EVAL);
        assertTrue(training.size() > 0);
        Tape inference = Tape.inference();
        Var actual = net.forward(inference.constant(x), Mode.EVAL);
        assertEquals(0, inference.size());
        assertFalse(actual.needsGrad());
        for (int i = 0; i < expected.value().data.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected.value().data[i]), Float.floatToRawIntBits(actual.value().data[i]),
                    "element " + i);
        }
    }

    @Test
    void parameterNamesRolesAndDecayFlags() {
        ParamSet params = new ParamSet();
        Mlp.builder("enc", 3).hidden(4).output(2).build(params, new RandomStream(1));
        new BatchNorm(params, "jraw_bn", 5, BatchNorm.Config.DEFAULT, false);
        List<String> expected = List.of("enc/hidden0/dense/kernel", "enc/hidden0/bn/gamma", "enc/hidden0/bn/beta",
                "enc/hidden0/bn/moving_mean", "enc/hidden0/bn/moving_variance", "enc/output/kernel", "enc/output/bias",
                "jraw_bn/gamma", "jraw_bn/beta", "jraw_bn/moving_mean", "jraw_bn/moving_variance");
        assertEquals(expected, params.all().stream().map(Param::name).toList());
        assertTrue(params.get("enc/hidden0/dense/kernel").decayed());
        assertTrue(params.get("enc/hidden0/bn/gamma").decayed());
        assertFalse(params.get("enc/hidden0/bn/beta").decayed());
        assertFalse(params.get("enc/output/bias").decayed());
        assertFalse(params.get("jraw_bn/gamma").decayed(), "the J_raw batch norm's γ is not decayed");
        assertFalse(params.get("enc/hidden0/bn/moving_mean").trainable());
        assertEquals(7, params.trainable().size());
        assertEquals(3 * 4 + 4 + 4 + 4 * 2 + 2 + 5 + 5, params.trainableCount());
        assertThrows(IllegalArgumentException.class, () -> params.add("enc/output/bias", Role.BIAS, new Matrix(1, 2)));
    }

    @Test
    void batchNormMovesItsAveragesInTrainingAndUsesThemInEvaluation() {
        ParamSet params = new ParamSet();
        BatchNorm bn = new BatchNorm(params, "bn", 2, new BatchNorm.Config(0.01f, 0.9f), true);
        Matrix x = Matrix.of(4, 2, 1, 10, 2, 20, 3, 30, 6, 60); // column means 3, 30; biased variances 3.5, 350
        Var train = bn.forward(new Tape().constant(x), Mode.TRAIN);
        // moving = 0.9·initial + 0.1·batch, from mean 0 and variance 1
        assertEquals(0.3f, params.get("bn/moving_mean").value().data[0], 1e-6);
        assertEquals(3.0f, params.get("bn/moving_mean").value().data[1], 1e-5);
        assertEquals(0.9f + 0.35f, params.get("bn/moving_variance").value().data[0], 1e-6);
        assertEquals(0.9f + 35f, params.get("bn/moving_variance").value().data[1], 1e-4);
        assertEquals((1 - 3) / Math.sqrt(3.5 + 0.01), train.value().get(0, 0), 1e-6);
        assertEquals((60 - 30) / Math.sqrt(350 + 0.01), train.value().get(3, 1), 1e-6);

        Var eval = bn.forward(new Tape().constant(x), Mode.EVAL);
        assertEquals((1 - 0.3) / Math.sqrt(1.25 + 0.01), eval.value().get(0, 0), 1e-6);
        assertEquals(0.3f, params.get("bn/moving_mean").value().data[0], 1e-6, "evaluation leaves the averages alone");
    }

    @Test
    void mlpShapesAndAllParametersReceiveGradients() {
        ParamSet params = new ParamSet();
        Mlp mlp = Mlp.builder("dec", 10).hidden(8, 8).output(3).build(params, new RandomStream(1));
        Tape t = new Tape();
        Var y = mlp.forward(t.constant(GradCheck.uniform(5, 10, -1, 1, 2)), Mode.TRAIN);
        assertEquals(5, y.rows());
        assertEquals(3, y.cols());
        t.backward(ReduceOps.sum(ElementwiseOps.mul(y, y)));
        for (Param p : params.trainable()) {
            double norm = 0;
            for (float g : p.grad().data) {
                norm += g * g;
            }
            assertTrue(norm > 0, p.name() + " got no gradient");
        }
    }
}
