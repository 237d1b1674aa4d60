package dvae.math.rbm;

import dvae.math.random.RandomStream;

/**
 * Population annealing for the prior's negative phase, the default sampler. At the first step the particles are
 * annealed from the uniform distribution (β = 0) to the RBM along a ladder of {@code initialTemps} temperatures.
 * Afterwards they persist: when the parameters move, each particle is re-weighted by the change of its side-1
 * marginal, log f_new(z1) − log f_old(z1); the population is resampled when the effective sample size falls below
 * {@code resampleBelowEss} of its size; then it takes {@code sweepsPerStep} Gibbs sweeps. log Z is tracked along
 * training as log Z_uniform plus the running sum of log mean weights.
 *
 * <p>With {@code ladderTemps} > 0 the population instead restarts from β = 0 at every step and anneals along that
 * many temperatures, one sweep each (so sweepsPerStep is not used), and log Z is that step's fresh estimate.
 */
public final class PopulationAnnealingSampler implements PriorSampler {
    /**
     * @param particles        population size (1000 in the authors' runs)
     * @param sweepsPerStep    Gibbs sweeps per training step for persistent particles (40)
     * @param resampleBelowEss resample when ESS / particles falls below this (0.5)
     * @param initialTemps     temperatures of the first step's ladder from β = 0 (1000)
     * @param ladderTemps      0 to persist particles; otherwise anneal from β = 0 along this many temperatures each step
     */
    public record Settings(int particles, int sweepsPerStep, double resampleBelowEss, int initialTemps,
                           int ladderTemps) {
        public Settings {
            if (particles < 1 || sweepsPerStep < 1 || initialTemps < 2 || ladderTemps < 0 || ladderTemps == 1
                    || !(resampleBelowEss >= 0 && resampleBelowEss <= 1)) {
                throw new IllegalArgumentException("bad population annealing settings: " + this);
            }
        }

        public static Settings defaults() {
            return new Settings(1000, 40, 0.5, 1000, 0);
        }
    }

    private final Settings settings;
    private final ParticlePopulation population;
    private Rbm last;
    private long steps;

    public PopulationAnnealingSampler(int n1, int n2, Settings settings, RandomStream rng) {
        this.settings = settings;
        this.population = new ParticlePopulation(n1, n2, settings.particles(), rng);
    }

    @Override
    public NegativePhase step(Rbm rbm) {
        if (last == null || settings.ladderTemps() > 0) {
            int temps = last == null && settings.ladderTemps() == 0 ? settings.initialTemps() : settings.ladderTemps();
            population.sampleBase(rbm, AnnealingBase.UNIFORM);
            population.anneal(rbm, AnnealingBase.UNIFORM, Annealing.ladder(temps, 0, 1), settings.resampleBelowEss());
        } else {
            double[] delta = population.logMarginals(rbm);
            double[] before = population.logMarginals(last);
            for (int p = 0; p < delta.length; p++) {
                delta[p] -= before[p];
            }
            population.reweight(delta);
        }
        if (settings.ladderTemps() == 0) {
            if (population.essFraction() < settings.resampleBelowEss()) {
                population.resample();
            }
            population.sweeps(rbm, settings.sweepsPerStep());
        }
        last = rbm.copy();
        steps++;
        return population.negativePhase(rbm);
    }

    @Override
    public double logZ() {
        return (population.n1 + population.n2) * Math.log(2) + population.logZRatio();
    }

    /** The current effective sample size over the population size. */
    public double essFraction() {
        return population.essFraction();
    }

    @Override
    public SamplerState state() {
        return new SamplerState(steps, population.packedStates(), population.logWeights.clone(),
                population.committedLogRatio(), population.random().state(),
                last == null ? null : last.w().clone(), last == null ? null : last.b1().clone(),
                last == null ? null : last.b2().clone());
    }

    @Override
    public void restore(SamplerState state) {
        population.restore(state.packedZ1(), state.logWeights(), state.committedLogRatio(), state.random());
        last = state.lastW() == null ? null
                : new Rbm(population.n1, population.n2, state.lastW().clone(), state.lastB1().clone(),
                        state.lastB2().clone());
        steps = state.steps();
    }
}
