package dvae.math.model;

import dvae.math.autodiff.LinearOps;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.ShapeOps;
import dvae.math.autodiff.Var;
import dvae.math.nn.FoldedMlp;
import dvae.math.nn.Mlp;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;

/**
 * p(x|ζ): an MLP from the latents to Bernoulli logits, plus the fixed data-bias offset logit(clip(mean_x, 1e-3,
 * 1 − 1e-3)) so the network starts at the pixel marginals. In structured prediction it predicts the bottom half only.
 */
public final class Decoder {
    private final Mlp net;
    private final Matrix offset;
    private final int firstPixel;

    public Decoder(ParamSet params, ModelConfig config, float[] meanPixel, RandomStream rng) {
        this.firstPixel = config.pixels() - config.predictedPixels();
        this.net = Mlp.builder("decoder", config.latents()).hidden(config.decoderHidden())
                .batchNorm(config.batchNorm()).output(config.predictedPixels()).build(params, rng);
        this.offset = new Matrix(1, config.predictedPixels());
        for (int i = 0; i < offset.cols; i++) {
            double m = Math.min(Math.max(meanPixel[firstPixel + i], 1e-3), 1 - 1e-3);
            offset.data[i] = (float) Math.log(m / (1 - m));
        }
    }

    public Var logits(Var zeta, Mode mode) {
        return LinearOps.addBias(net.forward(zeta, mode), zeta.tape().constant(offset));
    }

    /** log p(x|ζ) per row (rows × 1), over the predicted pixels of x. */
    public Var logLikelihood(Var x, Var zeta, Mode mode) {
        Var target = firstPixel == 0 ? x : ShapeOps.sliceColumns(x, firstPixel, x.cols());
        return ReduceOps.bernoulliLogLikelihood(target, logits(zeta, mode));
    }

    /** This decoder in evaluation mode without the tape (see {@link FoldedMlp}), as its parameters are now. */
    public Folded folded() {
        FoldedMlp folded = net.folded();
        float[] bias = folded.outputBias();
        for (int i = 0; i < bias.length; i++) {
            bias[i] += offset.data[i];
        }
        return new Folded(folded, bias);
    }

    /**
     * The decoder for evaluation's many rows: the network without its output bias, and that bias plus the data offset
     * as one vector, for the reader of the logits to add as it goes (see {@code LikelihoodKernels}).
     */
    public record Folded(FoldedMlp net, float[] outputBias) {
        /** The logits of rows firstRow .. firstRow + rows − 1 of z without the output bias (rows × predicted). */
        public float[] logitsWithoutBias(Matrix z, int firstRow, int rows) {
            return net.forward(z.data, firstRow, rows, false);
        }
    }

    /** How to compute the logits without this project: the network's steps (see {@link Mlp#describe}), the offset. */
    public java.util.Map<String, Object> describe() {
        java.util.List<java.util.Map<String, Object>> steps = new java.util.ArrayList<>(net.describe());
        steps.add(java.util.Map.of("op", "add", "offset",
                "logit(clip(mean_pixel[" + firstPixel + ":], 1e-3, 1 - 1e-3))"));
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("input", "z: the latent bits as 0/1 (a row per sample), in the prior's order");
        d.put("steps", steps);
        d.put("output", "Bernoulli logits of pixels " + firstPixel + " and up: p(x_i = 1 | z) = sigmoid(logit_i)");
        return d;
    }
}
