package dvae.math.rbm;

import dvae.math.random.RandomStream;

/**
 * Population annealing for the prior's negative phase, the default sampler. At the first step the particles are
 * annealed from the uniform distribution (β = 0) to the RBM along a ladder of {@code initialTemps} temperatures.
 * Afterwards they persist: when the parameters move, each particle is re-weighted by the change of its side-1
 * marginal, log f_new(z1) − log f_old(z1); the population is resampled when the effective sample size falls below
 * {@code resampleBelowEss} of its size; then it takes {@code sweepsPerStep} Gibbs sweeps. A move too large for one
 * reweighting (ESS below the threshold) is split adaptively: along θ(t) = (1 − t)·θ_old + t·θ_new the largest
 * t keeping the ESS at the threshold is found by bisection, then the population is resampled and takes one sweep at
 * θ(t) (out of the step's sweeps), and so on to t = 1. log Z is tracked along training as log Z_uniform plus the
 * running sum of log mean weights.
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

    /** Bisection steps when a parameter move is split: t is found to within 2^-8 of the feasible step. */
    private static final int BISECTIONS = 8;

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
        int sweeps = settings.sweepsPerStep();
        if (last == null || settings.ladderTemps() > 0) {
            int temps = last == null && settings.ladderTemps() == 0 ? settings.initialTemps() : settings.ladderTemps();
            population.sampleBase(rbm, AnnealingBase.UNIFORM);
            population.anneal(rbm, AnnealingBase.UNIFORM, Annealing.ladder(temps, 0, 1), settings.resampleBelowEss());
        } else {
            sweeps -= moveTo(rbm);
        }
        if (settings.ladderTemps() == 0) {
            if (population.essFraction() < settings.resampleBelowEss()) {
                population.resample();
            }
            population.sweeps(rbm, sweeps);
        }
        last = rbm.copy();
        steps++;
        return population.negativePhase(rbm);
    }

    /** Reweights the population from the last parameters to rbm, in adaptive sub-steps; returns the sweeps used. */
    private int moveTo(Rbm rbm) {
        Rbm between = last.copy();
        double[] logF = population.logMarginals(last);
        double t = 0;
        int sweepsUsed = 0;
        while (t < 1) {
            double next = 1;
            double[] nextLogF = population.logMarginals(rbm);
            if (sweepsUsed < settings.sweepsPerStep()
                    && population.essFractionAfter(minus(nextLogF, logF)) < settings.resampleBelowEss()) {
                double feasible = t;
                double infeasible = 1;
                for (int i = 0; i < BISECTIONS; i++) {
                    double mid = (feasible + infeasible) / 2;
                    interpolate(last, rbm, mid, between);
                    boolean ok = population.essFractionAfter(minus(population.logMarginals(between), logF))
                            >= settings.resampleBelowEss();
                    if (ok) {
                        feasible = mid;
                    } else {
                        infeasible = mid;
                    }
                }
                // Always advance: if even the smallest tried step collapses the ESS, take that one.
                next = feasible > t ? feasible : infeasible;
                interpolate(last, rbm, next, between);
                nextLogF = population.logMarginals(between);
            }
            population.reweight(minus(nextLogF, logF));
            t = next;
            if (t < 1) {
                population.resample();
                population.sweeps(between, 1);
                sweepsUsed++;
                logF = population.logMarginals(between);
            }
        }
        return sweepsUsed;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    /** into = (1 − t)·from + t·to, parameter by parameter. */
    static void interpolate(Rbm from, Rbm to, double t, Rbm into) {
        mix(from.w(), to.w(), t, into.w());
        mix(from.b1(), to.b1(), t, into.b1());
        mix(from.b2(), to.b2(), t, into.b2());
    }

    private static void mix(float[] a, float[] b, double t, float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((1 - t) * a[i] + t * b[i]);
        }
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
