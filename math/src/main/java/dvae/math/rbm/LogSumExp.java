package dvae.math.rbm;

import dvae.math.tensor.Scalars;

/** Log-domain reductions in double, for partition functions and importance weights. */
public final class LogSumExp {
    private LogSumExp() {
    }

    static double logSumExp(double[] x, int n) {
        return Scalars.logSumExp(x, 0, n);
    }

    /** log((1/n) Σ exp(x_i)). */
    public static double logMeanExp(double[] x) {
        return logSumExp(x, x.length) - Math.log(x.length);
    }

    /**
     * The standard deviation of logMeanExp(x) as an estimator, by the delta method: sd(mean of e^x)/mean of e^x,
     * with the sample standard deviation of the e^x divided by √n.
     */
    static double sdOfLogMeanExp(double[] x) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double sumSq = 0;
        for (double v : x) {
            double e = Math.exp(v - max);
            sum += e;
            sumSq += e * e;
        }
        double mean = sum / n;
        double variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
        return Math.sqrt(variance / n) / mean;
    }
}
