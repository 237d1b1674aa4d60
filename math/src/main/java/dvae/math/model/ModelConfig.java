package dvae.math.model;

import dvae.math.nn.BatchNorm;
import dvae.math.relax.Concrete;
import dvae.math.relax.PiecewiseLinear;
import dvae.math.relax.PowerFunction;
import dvae.math.relax.Relaxation;
import java.util.Arrays;

/**
 * Everything that fixes a model's architecture and objective. Defaults are the paper's DVAE## on MNIST (see the
 * reference note): 100+100 latents, RBM posterior, PWL relaxation with β = 4, s = 10 hard and t = 1 relaxed Gibbs
 * sweeps, ELBO.
 *
 * @param latents           n = n1 + n2 (even)
 * @param posterior         RBM (DVAE##), DIRECTED with shared context (Fig. 3c) or DVAE_SHARP (DVAE#'s own, Fig. 3b)
 * @param levels            L for directed posteriors (1, 2 or 4); must be 1 for the RBM posterior
 * @param relaxation        PWL, CONCRETE or POWER; DVAE## requires PWL inside its relaxed Gibbs update
 * @param pwlBeta           PWL sharpness (4 on MNIST, 3 on OMNIGLOT)
 * @param pwlSlopeGradient  true: gradient flows through the PWL slope (DVAE## code); false: original PWL
 * @param concreteBeta      inverse temperature of the Concrete relaxation (10)
 * @param powerBeta         power-function β (30)
 * @param objective         ELBO, IW (importance weighted with K samples) or STRUCT (structured prediction)
 * @param samples           K
 * @param gibbsSweeps       s, hard Gibbs sweeps of the persistent posterior chains per step
 * @param relaxedSweeps     t, relaxed Gibbs sweeps backpropagated through
 * @param couplingScale     the RBM posterior's couplings are couplingScale·BN(J_raw)/√n1 (1.5)
 * @param energyAtMeanField ELBO energies at ζ_mf = [σ(a1), ζ2] as in the authors' code (true) or at ζ (paper)
 * @param encoderHidden     hidden widths of the posterior networks (200, 200; one layer for structured prediction)
 * @param decoderHidden     hidden widths of the decoder
 * @param batchNorm         ε and momentum of every batch norm
 * @param pixels            input width (784)
 */
public record ModelConfig(int latents, PosteriorKind posterior, int levels, RelaxationKind relaxation,
                          double pwlBeta, boolean pwlSlopeGradient, double concreteBeta, double powerBeta,
                          ObjectiveKind objective, int samples, int gibbsSweeps, int relaxedSweeps,
                          double couplingScale, boolean energyAtMeanField, int[] encoderHidden, int[] decoderHidden,
                          BatchNorm.Config batchNorm, int pixels) {

    public enum PosteriorKind { RBM, DIRECTED, DVAE_SHARP }

    public enum RelaxationKind { PWL, CONCRETE, POWER }

    public enum ObjectiveKind { ELBO, IW, STRUCT }


    public ModelConfig {
        if (latents < 2 || latents % 2 != 0) {
            throw new IllegalArgumentException("latents must be even and at least 2, got " + latents);
        }
        if (levels != 1 && levels != 2 && levels != 4) {
            throw new IllegalArgumentException("levels must be 1, 2 or 4, got " + levels);
        }
        if (latents % levels != 0 || (levels > 1 && (latents / 2) % (latents / levels) != 0)) {
            throw new IllegalArgumentException(levels + " levels do not split " + latents + " latents into sides");
        }
        if (posterior == PosteriorKind.RBM && levels != 1) {
            throw new IllegalArgumentException("the RBM posterior has one level, got levels = " + levels);
        }
        if (posterior == PosteriorKind.RBM && relaxation != RelaxationKind.PWL) {
            throw new IllegalArgumentException("the RBM posterior's relaxed Gibbs update uses PWL, got " + relaxation);
        }
        if (samples < 1 || (objective == ObjectiveKind.ELBO && samples != 1)) {
            throw new IllegalArgumentException("samples (K) must be 1 for the ELBO and at least 1 otherwise, got "
                    + samples);
        }
        if (gibbsSweeps < 0 || relaxedSweeps < 1) {
            throw new IllegalArgumentException("need s >= 0 hard and t >= 1 relaxed sweeps, got s=" + gibbsSweeps
                    + " t=" + relaxedSweeps);
        }
        encoderHidden = encoderHidden.clone();
        decoderHidden = decoderHidden.clone();
    }

    /** The paper's DVAE## defaults on MNIST with n latents. */
    public static ModelConfig dvaeSharpSharp(int latents) {
        return new ModelConfig(latents, PosteriorKind.RBM, 1, RelaxationKind.PWL, 4, true, 10, 30, ObjectiveKind.ELBO,
                1, 10, 1, 1.5, true, new int[] {200, 200}, new int[] {200, 200}, BatchNorm.Config.DEFAULT, 784);
    }

    public int side1() {
        return latents / 2;
    }

    public int side2() {
        return latents / 2;
    }

    /** Pixels the encoder sees: all, or the top half (rows 0–13 of 28, the note's reading) in structured prediction. */
    public int observedPixels() {
        return objective == ObjectiveKind.STRUCT ? pixels / 2 : pixels;
    }

    /** Pixels the decoder predicts: all of them, or the bottom half in structured prediction. */
    public int predictedPixels() {
        return objective == ObjectiveKind.STRUCT ? pixels - observedPixels() : pixels;
    }

    public Relaxation relaxationKernel() {
        return switch (relaxation) {
            case PWL -> new PiecewiseLinear(pwlBeta, pwlSlopeGradient);
            case CONCRETE -> new Concrete(concreteBeta);
            case POWER -> new PowerFunction(powerBeta);
        };
    }

    /** A short name for logs and file names, e.g. {@code dvae##-100+100} or {@code pwl-L2-100+100}. */
    public String label() {
        String size = side1() + "+" + side2();
        return switch (posterior) {
            case RBM -> "dvae##-" + size;
            case DIRECTED -> relaxation.name().toLowerCase() + "-L" + levels + "-" + size;
            case DVAE_SHARP -> relaxation.name().toLowerCase() + "-L" + levels + "-nocontext-" + size;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig c && c.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "ModelConfig[latents=" + latents + ", posterior=" + posterior + ", levels=" + levels + ", relaxation="
                + relaxation + ", pwlBeta=" + pwlBeta + ", pwlSlopeGradient=" + pwlSlopeGradient + ", concreteBeta="
                + concreteBeta + ", powerBeta=" + powerBeta + ", objective=" + objective + ", samples=" + samples
                + ", s=" + gibbsSweeps + ", t=" + relaxedSweeps + ", couplingScale=" + couplingScale
                + ", energyAtMeanField=" + energyAtMeanField + ", encoderHidden=" + Arrays.toString(encoderHidden)
                + ", decoderHidden=" + Arrays.toString(decoderHidden) + ", batchNorm=" + batchNorm + ", pixels="
                + pixels + "]";
    }
}
