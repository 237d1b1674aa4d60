package dvae.math.toy;

import dvae.math.tensor.Scalars;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;

/**
 * The target of the paper's Appendix A: p_mix(z) = Σ_i α_i exp(Σ_a ν_ia z_a − softplus(ν_ia)), a mixture of factorial
 * Bernoulli distributions with logits ν. The same formula is evaluated at relaxed (continuous) ζ by the estimator.
 */
public record BernoulliMixture(double[] weights, double[][] logits) {

    public BernoulliMixture {
        if (weights.length != logits.length || weights.length == 0) {
            throw new IllegalArgumentException("one logit vector per mixture weight, and at least one component");
        }
    }

    /**
     * C equally weighted components over n bits whose every bit has variance p(1 − p) = {@code variance}: its mean p
     * is the smaller or the larger root, chosen by a fair coin per component and bit.
     */
    public static BernoulliMixture randomCorners(int components, int bits, double variance, long seed) {
        if (!(variance > 0 && variance <= 0.25)) {
            throw new IllegalArgumentException("a Bernoulli variance lies in (0, 0.25], got " + variance);
        }
        double lowMean = (1 - Math.sqrt(1 - 4 * variance)) / 2;
        double logit = Math.log((1 - lowMean) / lowMean);
        RandomStream rng = RandomStream.forPurpose(seed, "toy-rbm/mixture");
        double[] weights = new double[components];
        double[][] logits = new double[components][bits];
        for (int i = 0; i < components; i++) {
            weights[i] = 1.0 / components;
            for (int a = 0; a < bits; a++) {
                logits[i][a] = rng.nextDouble() < 0.5 ? -logit : logit;
            }
        }
        return new BernoulliMixture(weights, logits);
    }

    public int bits() {
        return logits[0].length;
    }

    /** log p_mix(z) for z in [0, 1]^n (binary or relaxed). */
    public double logDensity(double[] z) {
        double[] terms = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            terms[i] = Math.log(weights[i]) + componentLogits(i, z) - logNormalizer(i);
        }
        return Scalars.logSumExp(terms, 0, terms.length);
    }

    /** ν as a C×n matrix, for evaluating log p_mix on the tape. */
    Matrix logitMatrix() {
        Matrix m = new Matrix(weights.length, bits());
        for (int i = 0; i < weights.length; i++) {
            for (int a = 0; a < bits(); a++) {
                m.set(i, a, (float) logits[i][a]);
            }
        }
        return m;
    }

    /** log α_i − Σ_a softplus(ν_ia) for each component i, as a 1×C row. */
    Matrix componentOffsets() {
        Matrix m = new Matrix(1, weights.length);
        for (int i = 0; i < weights.length; i++) {
            m.data[i] = (float) (Math.log(weights[i]) - logNormalizer(i));
        }
        return m;
    }

    /** Σ_a ν_ia z_a: component i's log-density before normalization. */
    private double componentLogits(int i, double[] z) {
        double s = 0;
        for (int a = 0; a < z.length; a++) {
            s += logits[i][a] * z[a];
        }
        return s;
    }

    /** Σ_a softplus(ν_ia): component i's log normalizer over binary states. */
    private double logNormalizer(int i) {
        double s = 0;
        for (double nu : logits[i]) {
            s += Scalars.softplus(nu);
        }
        return s;
    }
}
