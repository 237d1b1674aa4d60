package dvae.math.model;

/** Normalised importance weights and the IW bound's value, in double. */
public final class ObjectiveOps {
    private ObjectiveOps() {
    }

    /** softmax of each run of k consecutive log-weights, in double. */
    public static double[] normalizedWeights(float[] logWeights, int k) {
        double[] w = new double[logWeights.length];
        for (int start = 0; start < logWeights.length; start += k) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = start; i < start + k; i++) {
                max = Math.max(max, logWeights[i]);
            }
            double sum = 0;
            for (int i = start; i < start + k; i++) {
                w[i] = Math.exp(logWeights[i] - max);
                sum += w[i];
            }
            for (int i = start; i < start + k; i++) {
                w[i] /= sum;
            }
        }
        return w;
    }

    /** The mean over examples of log (1/k) Σ exp(log w) for runs of k log-weights, in double. */
    public static double meanLogMeanExp(float[] logWeights, int k) {
        double total = 0;
        for (int start = 0; start < logWeights.length; start += k) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = start; i < start + k; i++) {
                max = Math.max(max, logWeights[i]);
            }
            double sum = 0;
            for (int i = start; i < start + k; i++) {
                sum += Math.exp(logWeights[i] - max);
            }
            total += max + Math.log(sum / k);
        }
        return total / (logWeights.length / k);
    }
}
