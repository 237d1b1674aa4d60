package dvae.math.eval;

import dvae.math.BadInputException;
import dvae.math.rbm.Annealing;

/**
 * What fixes an evaluation's numbers (the number of worker threads does not): K discrete samples per example, the
 * prior's AIS (temperatures, chains, from the uniform distribution), the RBM posterior's per-example AIS (temperatures,
 * particles, from its own biases) and the seed every random stream derives from.
 */
public record EvalSettings(int samples, int priorTemps, int priorChains, int posteriorTemps, int posteriorParticles,
                           long seed) {
    /** The authors' K. */
    public static final int SAMPLES = 4000;

    public EvalSettings {
        if (samples < 1) {
            throw new BadInputException("--samples (K) must be at least 1, got " + samples);
        }
        if (priorTemps < 2 || posteriorTemps < 2) {
            throw new BadInputException("AIS needs at least 2 temperatures (beta = 0 and 1), got prior " + priorTemps
                    + ", posterior " + posteriorTemps);
        }
        if (priorChains < 1 || posteriorParticles < 1) {
            throw new BadInputException("AIS needs at least one chain, got prior " + priorChains
                    + " chains, posterior " + posteriorParticles + " particles");
        }
    }

    /**
     * The paper's settings (K = 4000; prior AIS 10,000 × 1,024; posterior AIS 500 × 4,000) with the given seed. The
     * posterior's particles are its samples, so they default to K.
     */
    public static EvalSettings paper(long seed) {
        return new EvalSettings(SAMPLES, Annealing.PRIOR_TEMPS, Annealing.PRIOR_CHAINS, Annealing.POSTERIOR_TEMPS,
                Annealing.POSTERIOR_CHAINS, seed);
    }
}
