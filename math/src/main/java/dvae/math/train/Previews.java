package dvae.math.train;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.rbm.BlockGibbs;
import dvae.math.tensor.Matrix;

/** Pictures of a model for people: decoded prior samples and reconstructions (pixel probabilities in [0, 1]). */
public final class Previews {
    private Previews() {
    }

    /**
     * Decoded samples of the prior: {@code count} block-Gibbs chains from uniform states after {@code sweeps} sweeps,
     * decoded with batch norm on its moving averages. Null for structured prediction, which has no prior.
     */
    public static float[] priorSamples(DvaeModel model, int count, int sweeps, RandomStream rng) {
        if (model.config().objective() == ObjectiveKind.STRUCT) {
            return null;
        }
        int n1 = model.prior().n1();
        int n2 = model.prior().n2();
        float[] z1 = new float[count * n1];
        float[] z2 = new float[count * n2];
        for (int i = 0; i < z1.length; i++) {
            z1[i] = rng.nextFloat() < 0.5f ? 1f : 0f;
        }
        new BlockGibbs(rng).sweeps(model.prior().asRbm(), z1, z2, count, sweeps);
        Matrix z = new Matrix(count, n1 + n2);
        for (int r = 0; r < count; r++) {
            System.arraycopy(z1, r * n1, z.data, r * (n1 + n2), n1);
            System.arraycopy(z2, r * n2, z.data, r * (n1 + n2) + n1, n2);
        }
        Tape tape = Tape.inference();
        return ElementwiseOps.sigmoid(model.decoder().logits(tape.constant(z), Mode.EVAL)).value().data;
    }

    /**
     * Originals and reconstructions interleaved (original, reconstruction, …). In structured prediction the
     * reconstruction keeps the observed top half and shows the predicted bottom half.
     */
    public static float[] reconstructions(DvaeModel model, Matrix x, RandomStream rng) {
        Tape tape = Tape.inference();
        int k = model.config().samples();
        Var zeta = model.posterior().relaxedSample(tape.constant(model.encoderInput(x)), null, k, Mode.EVAL, rng)
                .zeta();
        float[] predicted = ElementwiseOps.sigmoid(model.decoder().logits(zeta, Mode.EVAL)).value().data;
        int pixels = x.cols;
        int width = model.config().predictedPixels();
        float[] out = new float[2 * x.rows * pixels];
        for (int r = 0; r < x.rows; r++) {
            System.arraycopy(x.data, r * pixels, out, 2 * r * pixels, pixels);
            int dst = (2 * r + 1) * pixels;
            System.arraycopy(x.data, r * pixels, out, dst, pixels - width);
            System.arraycopy(predicted, r * k * width, out, dst + pixels - width, width);
        }
        return out;
    }
}
