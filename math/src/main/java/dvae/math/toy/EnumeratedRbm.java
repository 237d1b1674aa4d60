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

    /**
     * Term II of the paper's Eq. 9 for t block-Gibbs sweeps started from z′ ~ q_θ, exactly: the gradient the paper's
     * estimator targets before any relaxation, ∂KL − I with I = Σ_z1′ q(z1′) ∂log q(z1′) E[f(z) | z1′] and
     * f = log q − log p held fixed (a sweep samples z2 | z1, then z1 | z2, so only z1′ matters). Fills
     * {@code gradient}.
     */
    public void termTwo(double[] theta, double[] targetLogProbabilities, int t, double[] gradient) {
        if (t < 1) {
            throw new IllegalArgumentException("at least one sweep, given " + t);
        }
        klAndGradient(theta, targetLogProbabilities, gradient);
        double[] logq = logProbabilities(theta);
        int sides1 = 1 << n1;
        int sides2 = 1 << n2;
        double[][] toSide2 = conditionals(theta, true);
        double[][] toSide1 = conditionals(theta, false);
        // E[f | z1 before the last sweep], then t − 1 more sweeps back to z1′.
        double[] expected = new double[sides1];
        for (int i = 0; i < sides1; i++) {
            for (int j = 0; j < sides2; j++) {
                for (int k = 0; k < sides1; k++) {
                    int s = k | j << n1;
                    expected[i] += toSide2[i][j] * toSide1[j][k] * (logq[s] - targetLogProbabilities[s]);
                }
            }
        }
        for (int sweep = 1; sweep < t; sweep++) {
            double[] onSide2 = new double[sides2];
            for (int j = 0; j < sides2; j++) {
                for (int k = 0; k < sides1; k++) {
                    onSide2[j] += toSide1[j][k] * expected[k];
                }
            }
            double[] next = new double[sides1];
            for (int i = 0; i < sides1; i++) {
                for (int j = 0; j < sides2; j++) {
                    next[i] += toSide2[i][j] * onSide2[j];
                }
            }
            expected = next;
        }
        // I = Σ_s q(s) E[f | z1(s)] (s(s) − E_q s): the marginal score of z1′ is E[s | z1′] − E_q s.
        double[] mean = new double[gradient.length];
        double[] termOne = new double[gradient.length];
        for (int s = 0; s < logq.length; s++) {
            double q = Math.exp(logq[s]);
            double g = expected[s & (sides1 - 1)];
            for (int k = 0; k < gradient.length; k++) {
                mean[k] += q * statistics[s][k];
                termOne[k] += q * g * statistics[s][k];
            }
        }
        double meanG = 0;
        for (int s = 0; s < logq.length; s++) {
            meanG += Math.exp(logq[s]) * expected[s & (sides1 - 1)];
        }
        for (int k = 0; k < gradient.length; k++) {
            gradient[k] -= termOne[k] - meanG * mean[k];
        }
    }

    /**
     * The block conditionals as matrices: toSide2 ? [z1][z2] = q(z2 | z1) : [z2][z1] = q(z1 | z2), states indexed by
     * their side's bits.
     */
    private double[][] conditionals(double[] theta, boolean toSide2) {
        int from = toSide2 ? n1 : n2;
        int to = toSide2 ? n2 : n1;
        double[][] p = new double[1 << from][1 << to];
        for (int x = 0; x < p.length; x++) {
            double[] on = new double[to];
            for (int b = 0; b < to; b++) {
                double logit = theta[toSide2 ? n1 + b : b];
                for (int a = 0; a < from; a++) {
                    if ((x >> a & 1) == 1) {
                        logit += theta[n1 + n2 + (toSide2 ? a * n2 + b : b * n2 + a)];
                    }
                }
                on[b] = 1 / (1 + Math.exp(-logit));
            }
            for (int y = 0; y < p[x].length; y++) {
                double prob = 1;
                for (int b = 0; b < to; b++) {
                    prob *= (y >> b & 1) == 1 ? on[b] : 1 - on[b];
                }
                p[x][y] = prob;
            }
        }
        return p;
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
