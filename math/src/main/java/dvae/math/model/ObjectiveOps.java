package dvae.math.model;

import dvae.math.tensor.Scalars;

/** Normalised importance weights and the IW bound's value, in double. */
public final class ObjectiveOps {
    private ObjectiveOps() {
    }

    /** softmax of each run of k consecutive log-weights, in double. */
    public static double[] normalizedWeights(float[] logWeights, int k) {
        double[] w = toDouble(logWeights);
        for (int start = 0; start < w.length; start += k) {
            double logTotal = Scalars.logSumExp(w, start, start + k);
            for (int i = start; i < start + k; i++) {
                w[i] = Math.exp(w[i] - logTotal);
            }
        }
        return w;
    }

    /** The mean over examples of log (1/k) Σ exp(log w) for runs of k log-weights, in double. */
    public static double meanLogMeanExp(float[] logWeights, int k) {
        double[] w = toDouble(logWeights);
        double total = 0;
        for (int start = 0; start < w.length; start += k) {
            total += Scalars.logSumExp(w, start, start + k) - Math.log(k);
        }
        return total / (w.length / k);
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
