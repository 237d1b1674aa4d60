package dvae.math.eval;

import dvae.math.BadInputException;
import dvae.math.rbm.Annealing;

/**
 * What fixes an evaluation's numbers (the number of worker threads does not): K discrete samples per example, the
 * prior's AIS (temperatures, chains, from the uniform distribution, side 2 summed out of the weights), the RBM
 * posterior's per-example AIS (temperatures, particles, from its own biases, and its weights) and the seed every
 * random stream derives from.
 */
public record EvalSettings(int samples, int priorTemps, int priorChains, int posteriorTemps, int posteriorParticles,
                           Annealing.Weights posteriorWeights, long seed) {
    /** The authors' K. */
    public static final int SAMPLES = 4000;
    /** The prior's AIS as the authors run it: temperatures and chains from the uniform distribution. */
    public static final int PRIOR_TEMPS = 10000;
    public static final int PRIOR_CHAINS = 1024;
    /**
     * The posterior AIS's default weights: joint, the density exp(−βE) as the reference note infers QuPA's, and a
     * fifth less time than summing side 2 out (see {@link Annealing.Weights}).
     */
    public static final Annealing.Weights POSTERIOR_WEIGHTS = Annealing.Weights.JOINT;

    public EvalSettings {
        if (samples < 1) {
            throw new BadInputException("--samples (K) must be at least 1, got " + samples);
        }
        if (priorTemps < 2 || posteriorTemps < 2) {
            throw new BadInputException("AIS needs at least 2 temperatures (beta = 0 and 1), got prior " + priorTemps
                    + ", posterior " + posteriorTemps);
        }
        if (posteriorWeights == null) {
            throw new IllegalArgumentException("posterior AIS weights not given");
        }
        if (priorChains < 1 || posteriorParticles < 1) {
            throw new BadInputException("AIS needs at least one chain, got prior " + priorChains
                    + " chains, posterior " + posteriorParticles + " particles");
        }
    }
}
