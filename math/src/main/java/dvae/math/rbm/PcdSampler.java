package dvae.math.rbm;

import dvae.math.random.RandomStream;

/**
 * Persistent contrastive divergence: chains that start uniform and carry on across training steps, a fixed number
 * of block-Gibbs sweeps per step at the current parameters, equally weighted statistics (Rao-Blackwellised over
 * side 2). The open fallback of the authors' earlier code: 1000 chains × 40 sweeps.
 */
public final class PcdSampler implements PriorSampler {
    public static final int DEFAULT_CHAINS = 1000;
    public static final int DEFAULT_SWEEPS = 40;

    private final ParticlePopulation chains;
    private final int sweepsPerStep;
    private long steps;

    public PcdSampler(int n1, int n2, int chains, int sweepsPerStep, RandomStream rng) {
        if (chains < 1 || sweepsPerStep < 1) {
            throw new IllegalArgumentException("PCD needs positive chains and sweeps: " + chains + ", " + sweepsPerStep);
        }
        this.chains = new ParticlePopulation(n1, n2, chains, rng);
        this.sweepsPerStep = sweepsPerStep;
        this.chains.randomize();
    }

    @Override
    public NegativePhase step(Rbm rbm) {
        chains.sweeps(rbm, sweepsPerStep);
        steps++;
        return chains.negativePhase(rbm);
    }

    @Override
    public double logZ() {
        return Double.NaN;
    }

    @Override
    public SamplerState state() {
        return new SamplerState(steps, chains.packedStates(), chains.logWeights.clone(), 0,
                chains.random().state(), null, null, null);
    }

    @Override
    public void restore(SamplerState state) {
        chains.restore(state.packedZ1(), state.logWeights(), 0, state.random());
        steps = state.steps();
    }
}
