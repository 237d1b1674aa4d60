package dvae.math.rbm;

import dvae.math.random.RandomStream;

/**
 * Partition-function estimators by annealing along exp(sb(β)·(b1·z1 + b2·z2) + β·z1ᵀWz2), β on a linear ladder of
 * {@code temps} values from 0 to 1, one Gibbs sweep per temperature, side 2 summed out of the weights unless
 * {@link Weights#JOINT} is asked for. All weights and log-sums are in double.
 *
 * <ul>
 *   <li>{@link #ais}: annealed importance sampling; unbiased in Z, so E[log Ẑ] ≤ log Z (a stochastic lower bound).
 *   <li>{@link #reverseAis}: the same path run backwards from the RBM to the base, unbiased in 1/Z, so a stochastic
 *       upper bound, the other side of the bracket. It needs exact samples of the RBM to start from, which are not
 *       available in general: it starts from a long Gibbs run at β = 1 instead ({@link #REVERSE_BURN_IN} sweeps
 *       from uniform states), so the bound holds only as far as that run has mixed.
 *   <li>{@link #populationAnnealing}: AIS with systematic resampling whenever the effective sample size falls below
 *       half the population, run as independent islands whose spread gives the standard deviation.
 * </ul>
 */
public final class Annealing {
    /** Prior evaluation defaults (DVAE## code): 10,000 temperatures, 1,024 chains, from the uniform distribution. */
    public static final int PRIOR_TEMPS = 10_000;
    public static final int PRIOR_CHAINS = 1_024;
    /** Posterior evaluation defaults: 500 temperatures, 4,000 particles, from the posterior's own biases. */
    public static final int POSTERIOR_TEMPS = 500;
    public static final int POSTERIOR_CHAINS = 4_000;
    /** Gibbs sweeps at the RBM before reverse AIS starts down the ladder. */
    public static final int REVERSE_BURN_IN = 1_000;
    /** Population annealing resamples when ESS / population falls below this. */
    public static final double RESAMPLE_BELOW_ESS = 0.5;
    /** Population annealing splits its particles into this many independent islands for the standard deviation. */
    public static final int ISLANDS = 8;

    private Annealing() {
    }

    /** What an annealing step's weight increment is computed from. */
    public enum Weights {
        /**
         * The side-1 marginal, side 2 summed out: a softplus per side-2 unit and temperature, the lower variance (a
         * Rao-Blackwellised estimate).
         */
        MARGINAL,
        /**
         * Both sides' states, the density exp(−βE) itself: one dot product per particle and temperature, which the
         * sweep's own product z1W already holds. On 100+100 RBMs at 500 temperatures × 4,000 particles about a fifth
         * less time than {@link #MARGINAL} and 1.5–1.7× its spread of log Ẑ; more spread at fewer temperatures (up to
         * 4× at 256 in {@code experiment fig4}).
         */
        JOINT;

        /** The name used on the command line and in JSON (as {@link AnnealingBase#label()}). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * An AIS estimate with its final particles and their log-weights. Each log-weight is a one-chain estimate of
     * log(Z_end / Z_start), so their plain mean shows the estimator's bias (Jensen) free of log-mean-exp averaging.
     */
    public record AisRun(LogZEstimate estimate, float[] z1, float[] z2, double[] logWeights) {
    }

    /** Forward AIS from the base to the RBM with {@link Weights#MARGINAL} weights. */
    public static AisRun ais(Rbm rbm, int temps, int chains, AnnealingBase base, RandomStream rng) {
        return ais(rbm, temps, chains, base, Weights.MARGINAL, rng);
    }

    /** Forward AIS from the base to the RBM. The final particles serve as approximate samples of the RBM. */
    public static AisRun ais(Rbm rbm, int temps, int chains, AnnealingBase base, Weights weights, RandomStream rng) {
        checkSettings(temps, chains);
        ParticlePopulation population = new ParticlePopulation(rbm.n1(), rbm.n2(), chains, weights, rng);
        population.sampleBase(rbm, base);
        population.anneal(rbm, base, ladder(temps, 0, 1), 0);
        double[] logWeights = population.logWeights.clone();
        var estimate = new LogZEstimate(base.logZ(rbm) + LogSumExp.logMeanExp(logWeights),
                LogSumExp.sdOfLogMeanExp(logWeights), "ais", temps, chains, base);
        return new AisRun(estimate, population.z1, population.z2, logWeights);
    }

    /**
     * Reverse AIS from (approximate) samples of the RBM down to the base: log Z = log Z_base − log mean weight. The
     * final particles are samples of the base.
     */
    public static AisRun reverseAis(Rbm rbm, int temps, int chains, AnnealingBase base, RandomStream rng) {
        checkSettings(temps, chains);
        ParticlePopulation population = new ParticlePopulation(rbm.n1(), rbm.n2(), chains, rng);
        population.sampleBase(rbm, AnnealingBase.UNIFORM);
        population.sweeps(rbm, REVERSE_BURN_IN);
        population.anneal(rbm, base, ladder(temps, 1, 0), 0);
        double[] logWeights = population.logWeights.clone();
        var estimate = new LogZEstimate(base.logZ(rbm) - LogSumExp.logMeanExp(logWeights),
                LogSumExp.sdOfLogMeanExp(logWeights), "rais", temps, chains, base);
        return new AisRun(estimate, population.z1, population.z2, logWeights);
    }

    /**
     * Population annealing: {@link #ISLANDS} independent populations sharing the chains; each island's Ẑ is unbiased,
     * the estimate is log of their mean and the standard deviation comes from their spread.
     */
    public static LogZEstimate populationAnnealing(Rbm rbm, int temps, int chains, AnnealingBase base,
                                                   RandomStream rng) {
        checkSettings(temps, chains);
        int islands = Math.min(ISLANDS, chains);
        double[] islandLogZ = new double[islands];
        double[] betas = ladder(temps, 0, 1);
        for (int g = 0; g < islands; g++) {
            int size = chains / islands + (g < chains % islands ? 1 : 0);
            ParticlePopulation population = new ParticlePopulation(rbm.n1(), rbm.n2(), size, rng.split());
            population.sampleBase(rbm, base);
            population.anneal(rbm, base, betas, RESAMPLE_BELOW_ESS);
            islandLogZ[g] = base.logZ(rbm) + population.logZRatio();
        }
        return new LogZEstimate(LogSumExp.logMeanExp(islandLogZ), LogSumExp.sdOfLogMeanExp(islandLogZ), "pa",
                temps, chains, base);
    }

    /** Exact log Z by enumerating the smaller side (sd 0). */
    public static LogZEstimate exact(Rbm rbm) {
        return new LogZEstimate(ExactRbm.logZ(rbm), 0, "exact", 0, 0, null);
    }

    /** temps values linearly spaced from {@code from} to {@code to}, both included. */
    static double[] ladder(int temps, double from, double to) {
        double[] betas = new double[temps];
        for (int k = 0; k < temps; k++) {
            betas[k] = from + (to - from) * k / (temps - 1);
        }
        betas[temps - 1] = to;
        return betas;
    }

    private static void checkSettings(int temps, int chains) {
        if (temps < 2) {
            throw new dvae.math.BadInputException("temps must be at least 2 (β = 0 and β = 1), got " + temps);
        }
        if (chains < 1) {
            throw new dvae.math.BadInputException("chains must be positive, got " + chains);
        }
    }
}
