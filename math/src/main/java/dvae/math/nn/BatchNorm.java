package dvae.math.nn;

import dvae.math.autodiff.BatchNormOps;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Role;
import dvae.math.autodiff.Var;
import dvae.math.tensor.Matrix;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch normalisation over the batch, one feature per column, with learnable γ (starts at 1) and β (starts at 0) and
 * moving averages of the mean (starts at 0) and variance (starts at 1) for evaluation.
 */
public final class BatchNorm implements Layer {
    /** ε added to the variance and the moving-average momentum. */
    public record Config(float eps, float momentum) {
        /** The reference's DVAE## settings: ε = 1e-2, momentum 0.99. */
        public static final Config DEFAULT = new Config(1e-2f, 0.99f);
    }

    private final Config config;
    private final Param gamma;
    private final Param beta;
    private final Param movingMean;
    private final Param movingVariance;

    /** Registers {@code name/gamma}, {@code name/beta}, {@code name/moving_mean}, {@code name/moving_variance}. */
    public BatchNorm(ParamSet params, String name, int features, Config config, boolean decayGamma) {
        this.config = config;
        Matrix ones = new Matrix(1, features);
        ones.fill(1f);
        this.gamma = params.add(name + "/gamma", Role.BN_GAMMA, ones, decayGamma);
        this.beta = params.add(name + "/beta", Role.BN_BETA, new Matrix(1, features));
        this.movingMean = params.add(name + "/moving_mean", Role.BN_MOVING_MEAN, new Matrix(1, features));
        this.movingVariance = params.add(name + "/moving_variance", Role.BN_MOVING_VARIANCE, ones.copy());
    }

    @Override
    public Var forward(Var x, Mode mode) {
        return forward(x, 0, x.cols(), 1f, mode);
    }

    /** scale · BN(x[:, fromCol … toCol)), in one operation (no slice or scaled copy on the tape). */
    public Var forward(Var x, int fromCol, int toCol, float scale, Mode mode) {
        Var g = x.tape().param(gamma);
        Var b = x.tape().param(beta);
        return switch (mode) {
            case TRAIN -> BatchNormOps.batchNormTraining(x, fromCol, toCol, g, b, movingMean.value(),
                    movingVariance.value(), config.eps(), config.momentum(), scale);
            case EVAL -> BatchNormOps.batchNormInference(x, fromCol, toCol, g, b, movingMean.value(),
                    movingVariance.value(), config.eps(), scale);
        };
    }

    @Override
    public List<Map<String, Object>> describe() {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("op", "batch_norm");
        step.put("gamma", gamma.name());
        step.put("beta", beta.name());
        step.put("moving_mean", movingMean.name());
        step.put("moving_variance", movingVariance.name());
        step.put("eps", config.eps());
        step.put("formula", "gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta");
        return List.of(step);
    }

    /**
     * The evaluation-mode map after a linear stage, folded into it: y = s·(x·K + b) + t with s = γ/√(σ² + ε) and
     * t = β − s·μ becomes x·(K·diag(s)) + (s·b + t), s and t from the moving averages as they are now.
     */
    FoldedMlp.Stage foldInto(FoldedMlp.Stage linear) {
        int out = linear.out();
        if (out != gamma.value().cols) {
            throw new IllegalArgumentException("batch norm of " + gamma.value().cols + " features after a layer of "
                    + out);
        }
        float[] kernel = linear.kernel().clone();
        float[] bias = new float[out];
        for (int c = 0; c < out; c++) {
            double invStd = 1 / Math.sqrt(movingVariance.value().data[c] + (double) config.eps());
            double scale = gamma.value().data[c] * invStd;
            bias[c] = (float) (scale * (linear.bias()[c] - movingMean.value().data[c]) + beta.value().data[c]);
            for (int i = c; i < kernel.length; i += out) {
                kernel[i] = (float) (kernel[i] * scale);
            }
        }
        return new FoldedMlp.Stage(kernel, linear.in(), out, bias, linear.tanh());
    }
}
