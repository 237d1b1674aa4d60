package dvae.math.toy;

import dvae.math.tensor.Scalars;
import dvae.math.random.RandomStream;

/**
 * An RBM over n1 + n2 bits small enough to enumerate all 2^(n1+n2) states, giving exact probabilities, exact samples
 * and the exact KL to a target with its exact gradient. Parameters are one flat vector θ = [b1, b2, W (row-major
 * n1×n2)] with −E(z) = b1·z1 + b2·z2 + z1ᵀWz2, which is θ·s(z) for the statistics s(z) = [z1, z2, z1⊗z2]. State
 * index bit a is unit a, side 1 first.
 */
public final class EnumeratedRbm {
    private static final int MAX_BITS = 16;

    private final int n1;
    private final int n2;
    private final double[][] statistics;

    public EnumeratedRbm(int n1, int n2) {
        if (n1 < 1 || n2 < 1 || n1 + n2 > MAX_BITS) {
            throw new IllegalArgumentException("enumerable RBMs have 1 to " + MAX_BITS + " bits, given " + n1 + "+"
                    + n2);
        }
        this.n1 = n1;
        this.n2 = n2;
        statistics = new double[1 << (n1 + n2)][];
        for (int s = 0; s < statistics.length; s++) {
            statistics[s] = statistics(state(s));
        }
    }

    public int n1() {
        return n1;
    }

    public int n2() {
        return n2;
    }

    public int parameterCount() {
        return n1 + n2 + n1 * n2;
    }

    public int stateCount() {
        return statistics.length;
    }

    /** State {@code index} as 0/1 values, side 1 then side 2. */
    public double[] state(int index) {
        double[] z = new double[n1 + n2];
        for (int a = 0; a < z.length; a++) {
            z[a] = (index >> a) & 1;
        }
        return z;
    }

    private double[] statistics(double[] z) {
        double[] s = new double[parameterCount()];
        System.arraycopy(z, 0, s, 0, n1 + n2);
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < n2; j++) {
                s[n1 + n2 + i * n2 + j] = z[i] * z[n1 + j];
            }
        }
        return s;
    }

    /** log q_θ(z) of every state, normalised. */
    public double[] logProbabilities(double[] theta) {
        double[] logq = new double[statistics.length];
        for (int s = 0; s < logq.length; s++) {
            logq[s] = dot(theta, statistics[s]);
        }
        double logZ = Scalars.logSumExp(logq, 0, logq.length);
        for (int s = 0; s < logq.length; s++) {
            logq[s] -= logZ;
        }
        return logq;
    }

    /** The target's log-probability of every state. */
    public double[] logProbabilitiesOf(BernoulliMixture target) {
        double[] logp = new double[statistics.length];
        for (int s = 0; s < logp.length; s++) {
            logp[s] = target.logDensity(state(s));
        }
        return logp;
    }

    /** KL(q_θ ‖ p) = Σ_z q(z)(log q(z) − log p(z)). */
    public double kl(double[] theta, double[] targetLogProbabilities) {
        return klAndGradient(theta, targetLogProbabilities, null);
    }

    /**
     * KL(q_θ ‖ p), and (when {@code gradient} is not null) its exact gradient ∂KL/∂θ = Cov_q(s(z), log q − log p)
     * = Σ_z q(z)(g(z) − KL)s(z) with g = log q − log p (the ∂ log q term has zero mean under q).
     */
    public double klAndGradient(double[] theta, double[] targetLogProbabilities, double[] gradient) {
        double[] logq = logProbabilities(theta);
        double kl = 0;
        for (int s = 0; s < logq.length; s++) {
            kl += Math.exp(logq[s]) * (logq[s] - targetLogProbabilities[s]);
        }
        if (gradient != null) {
            java.util.Arrays.fill(gradient, 0);
            for (int s = 0; s < logq.length; s++) {
                double weight = Math.exp(logq[s]) * (logq[s] - targetLogProbabilities[s] - kl);
                double[] stats = statistics[s];
                for (int k = 0; k < gradient.length; k++) {
                    gradient[k] += weight * stats[k];
                }
            }
        }
        return kl;
    }

    /** Exact sampling from q_θ by inverting the cumulative distribution over the enumerated states. */
    public final class Sampler {
        private final double[] cumulative;

        private Sampler(double[] theta) {
            double[] logq = logProbabilities(theta);
            cumulative = new double[logq.length];
            double total = 0;
            for (int s = 0; s < logq.length; s++) {
                total += Math.exp(logq[s]);
                cumulative[s] = total;
            }
        }

        /** The index of a state drawn from q_θ. */
        public int draw(RandomStream rng) {
            double u = rng.nextDouble() * cumulative[cumulative.length - 1];
            int lo = 0;
            int hi = cumulative.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }
    }

    public Sampler sampler(double[] theta) {
        return new Sampler(theta);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }
}
