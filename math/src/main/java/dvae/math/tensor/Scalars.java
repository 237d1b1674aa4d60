package dvae.math.tensor;

/** Numerically stable scalar functions shared by the tape's operations and the samplers. */
public final class Scalars {
    private Scalars() {
    }

    /** σ(x) = 1/(1 + e^−x), without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^−|x|): exact for large |x|. */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** log Σ_{i ∈ [from, to)} e^{x_i}, shifted by the maximum so no term overflows; ±∞ when the maximum is. */
    public static double logSumExp(double[] x, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            max = Math.max(max, x[i]);
        }
        if (Double.isInfinite(max)) {
            return max;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += Math.exp(x[i] - max);
        }
        return max + Math.log(sum);
    }

    /** log σ(x) = −softplus(−x). */
    public static double logSigmoid(double x) {
        return -softplus(-x);
    }
}
