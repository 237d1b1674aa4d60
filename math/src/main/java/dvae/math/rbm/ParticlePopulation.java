package dvae.math.rbm;

import dvae.math.blas.Blas;
import dvae.math.random.RandomStream;
import java.util.Arrays;

/**
 * A population of weighted states of an RBM, by default with side 2 summed out of the weights analytically
 * ({@link Annealing.Weights}): the common core of AIS (never resampled), population annealing (resampled when the
 * effective sample size falls) and PCD (weights stay equal). Weights are kept as log-weights in double.
 * {@link #logZRatio()} is the running estimate of log(Z_now / Z_start): the log mean weight at each resampling,
 * summed, plus the current log mean weight.
 */
final class ParticlePopulation {
    final int n1;
    final int n2;
    final int size;
    final float[] z1;
    final float[] z2;
    final double[] logWeights;
    private final BlockGibbs gibbs;
    private final Annealing.Weights weights;
    private final double[] increments;
    private final double[] side2Terms; // joint weights only
    private float[] resampled; // allocated by the first resampling: AIS never resamples
    private double committedLogRatio;

    ParticlePopulation(int n1, int n2, int size, RandomStream rng) {
        this(n1, n2, size, Annealing.Weights.MARGINAL, rng);
    }

    ParticlePopulation(int n1, int n2, int size, Annealing.Weights weights, RandomStream rng) {
        this.n1 = n1;
        this.n2 = n2;
        this.size = size;
        this.z1 = new float[size * n1];
        this.z2 = new float[size * n2];
        this.logWeights = new double[size];
        this.weights = weights;
        this.increments = new double[size];
        this.side2Terms = weights == Annealing.Weights.JOINT ? new double[size] : null;
        this.gibbs = new BlockGibbs(rng);
    }

    RandomStream random() {
        return gibbs.random();
    }

    /**
     * Draws every particle from the base distribution at β = 0 (side 2 too for joint weights, whose first increment
     * reads it) and clears weights and the log-Z ratio.
     */
    void sampleBase(Rbm rbm, AnnealingBase base) {
        sampleIndependent(rbm.b1(), base.biasScale(0));
        if (weights == Annealing.Weights.JOINT) {
            drawFactorial(rbm.b2(), base.biasScale(0), n2, z2);
        }
    }

    /** Draws every particle uniformly and clears weights and the log-Z ratio. */
    void randomize() {
        sampleIndependent(new float[n1], 0f);
    }

    private void sampleIndependent(float[] bias, float biasScale) {
        drawFactorial(bias, biasScale, n1, z1);
        Arrays.fill(logWeights, 0);
        committedLogRatio = 0;
    }

    /** Every particle's side of {@code cols} units into out, each unit ~ Bern(σ(biasScale·bias)) on its own. */
    private void drawFactorial(float[] bias, float biasScale, int cols, float[] out) {
        float[] zeros = gibbs.activations(size * cols);
        Arrays.fill(zeros, 0, size * cols, 0f);
        gibbs.sample(zeros, 0f, bias, 0, biasScale, size, cols, out, 0, null);
    }

    /**
     * One annealing step from β = from to β = to with {@link Annealing.Weights#MARGINAL} weights: each weight is
     * multiplied by f_to/f_from, f the side-1 marginal at the particle's state, then one Gibbs sweep at β = to moves
     * the particles.
     */
    private void annealStep(Rbm rbm, AnnealingBase base, double from, double to) {
        float sw = (float) from;
        float sb = base.biasScale(from);
        float dsw = (float) (to - from);
        float dsb = base.biasScale(to) - sb;
        // Particles are independent: groups of them run as parallel parts, each with its own engine and scratch.
        gibbs.inParts(size, (engine, from0, to0) -> {
            int rows = to0 - from0;
            float[] c = engine.activations(rows * n2);
            Blas.sgemm(false, false, rows, n2, n1, 1f, z1, from0 * n1, n1, rbm.w(), 0, n2, 0f, c, 0, n2);
            if (dsb != 0f) {
                VectorMath.rowDots(z1, from0 * n1, rbm.b1(), rows, n1, increments, from0);
                for (int i = from0; i < to0; i++) {
                    increments[i] *= dsb;
                }
            } else {
                Arrays.fill(increments, from0, to0, 0);
            }
            // Leaves the side-2 logits at β = to in c.
            VectorMath.annealSoftplusStep(c, rbm.b2(), sw, sb, dsw, dsb, rows, n2, increments, from0);
            for (int i = from0; i < to0; i++) {
                logWeights[i] += increments[i];
            }
            engine.sample(c, 1f, rbm.b2(), 0, 0f, rows, n2, z2, from0 * n2, null);
            engine.sampleSide1(rbm.w(), 0, rbm.b1(), 0, n1, n2, z2, from0 * n2, z1, from0 * n1, rows, (float) to,
                    base.biasScale(to));
        });
    }

    /**
     * Anneals along the ladder betas[0] → betas[last], resampling when the ESS fraction falls below the threshold
     * (never for AIS, threshold 0, and only with marginal weights).
     */
    void anneal(Rbm rbm, AnnealingBase base, double[] betas, double resampleBelowEss) {
        if (weights == Annealing.Weights.JOINT) {
            if (resampleBelowEss > 0) {
                requireMarginalWeights();
            }
            annealJoint(rbm, base, betas);
            return;
        }
        for (int k = 0; k + 1 < betas.length; k++) {
            annealStep(rbm, base, betas[k], betas[k + 1]);
            if (resampleBelowEss > 0 && essFraction() < resampleBelowEss) {
                resample();
            }
        }
    }

    /**
     * AIS with joint weights, f the density of (z1, z2) as the last sweep left them: log f_to − log f_from =
     * dsb·(b1·z1 + b2·z2) + dsw·z1ᵀWz2. The particles never meet, so each part takes its own along the whole
     * ladder, their coupling inputs kept up to date from sweep to sweep ({@link CouplingInputs}).
     */
    private void annealJoint(Rbm rbm, AnnealingBase base, double[] betas) {
        float[] wT = rbm.transposed().w();
        gibbs.inParts(size, (engine, from0, to0) -> {
            int rows = to0 - from0;
            CouplingInputs inputs = engine.couplingInputs();
            inputs.start(rbm, wT, z1, from0 * n1, z2, from0 * n2, rows);
            for (int k = 0; k + 1 < betas.length; k++) {
                float to = (float) betas[k + 1];
                float sbTo = base.biasScale(betas[k + 1]);
                float dsw = (float) (betas[k + 1] - betas[k]);
                float dsb = sbTo - base.biasScale(betas[k]);
                float[] c = inputs.side2Input();
                if (dsb != 0f) {
                    VectorMath.rowDots(z1, from0 * n1, rbm.b1(), rows, n1, increments, from0);
                    VectorMath.rowDots(z2, from0 * n2, rbm.b2(), rows, n2, side2Terms, from0);
                    for (int i = from0; i < to0; i++) {
                        increments[i] = dsb * increments[i] + dsb * side2Terms[i];
                    }
                } else {
                    Arrays.fill(increments, from0, to0, 0);
                }
                VectorMath.pairedRowDots(c, 0, z2, from0 * n2, rows, n2, side2Terms, from0);
                for (int i = from0; i < to0; i++) {
                    logWeights[i] += increments[i] + dsw * side2Terms[i];
                }
                inputs.drawSide2(to, sbTo);
                inputs.drawSide1(to, sbTo);
            }
        });
    }

    /** Gibbs sweeps at the RBM itself (β = 1); weights unchanged. */
    void sweeps(Rbm rbm, int sweeps) {
        gibbs.sweeps(rbm, z1, z2, size, sweeps);
    }

    /** Multiplies each particle's weight by exp(delta[i]). */
    void reweight(double[] delta) {
        for (int i = 0; i < size; i++) {
            logWeights[i] += delta[i];
        }
    }

    /** The effective sample size over the population size, in (0, 1]. */
    double essFraction() {
        return essFractionAfter(null);
    }

    /** The ESS fraction the population would have after {@link #reweight}(delta) (delta null: as it is). */
    double essFractionAfter(double[] delta) {
        double[] logW = logWeights.clone();
        if (delta != null) {
            for (int i = 0; i < size; i++) {
                logW[i] += delta[i];
            }
        }
        double lse = LogSumExp.logSumExp(logW, size);
        double sumSq = 0;
        for (double lw : logW) {
            double p = Math.exp(lw - lse);
            sumSq += p * p;
        }
        return 1 / (sumSq * size);
    }

    /** Resampling moves side-1 states only, which joint weights (the density of both sides) do not allow. */
    private void requireMarginalWeights() {
        if (weights != Annealing.Weights.MARGINAL) {
            throw new IllegalStateException("resampling moves side-1 states only: joint weights are for plain AIS");
        }
    }

    /**
     * Systematic resampling of the side-1 states: copies in proportion to weight, all weights equal afterwards; keeps
     * logZRatio. Only for marginal weights (population annealing), whose side 2 the next sweep redraws.
     */
    void resample() {
        requireMarginalWeights();
        if (resampled == null) {
            resampled = new float[size * n1];
        }
        double logMean = LogSumExp.logMeanExp(logWeights);
        double lse = logMean + Math.log(size);
        double step = 1.0 / size;
        double position = random().nextDouble() * step;
        double cumulative = 0;
        int from = -1;
        for (int to = 0; to < size; to++) {
            while (cumulative <= position && from < size - 1) {
                from++;
                cumulative += Math.exp(logWeights[from] - lse);
            }
            System.arraycopy(z1, from * n1, resampled, to * n1, n1);
            position += step;
        }
        System.arraycopy(resampled, 0, z1, 0, size * n1);
        committedLogRatio += logMean;
        Arrays.fill(logWeights, 0);
    }

    /** The running estimate of log(Z_now / Z_start). */
    double logZRatio() {
        return committedLogRatio + LogSumExp.logMeanExp(logWeights);
    }

    /** log f(z1) for every particle: the side-1 marginal under rbm. */
    double[] logMarginals(Rbm rbm) {
        double[] out = new double[size];
        rbm.logMarginal1(z1, size, gibbs.activations(size * n2), out);
        return out;
    }

    /**
     * Weighted E[z1], E[z2], E[z1z2ᵀ] under rbm, Rao-Blackwellised over side 2: each particle contributes its
     * conditional mean σ(b2 + z1W) instead of a sampled z2.
     */
    NegativePhase negativePhase(Rbm rbm) {
        double lse = LogSumExp.logSumExp(logWeights, size);
        float[] c = gibbs.activations(size * n2);
        Blas.sgemm(false, false, size, n2, n1, 1f, z1, 0, n1, rbm.w(), 0, n2, 0f, c, 0, n2);
        float[] weightedMeans = new float[size * n2];
        VectorMath.sigmoid(c, rbm.b2(), size, n2, weightedMeans);
        double[] meanZ1 = new double[n1];
        double[] meanZ2 = new double[n2];
        for (int p = 0; p < size; p++) {
            double weight = Math.exp(logWeights[p] - lse);
            for (int j = 0; j < n2; j++) {
                weightedMeans[p * n2 + j] *= (float) weight;
                meanZ2[j] += weightedMeans[p * n2 + j];
            }
            for (int i = 0; i < n1; i++) {
                meanZ1[i] += weight * z1[p * n1 + i];
            }
        }
        float[] pair = new float[n1 * n2];
        Blas.sgemm(true, false, n1, n2, size, 1f, z1, 0, n1, weightedMeans, 0, n2, 0f, pair, 0, n2);
        double[] meanZ1Z2 = new double[n1 * n2];
        for (int k = 0; k < pair.length; k++) {
            meanZ1Z2[k] = pair[k];
        }
        return new NegativePhase(n1, n2, meanZ1, meanZ2, meanZ1Z2);
    }

    /** The side-1 states, bit-packed row after row. */
    long[] packedStates() {
        long[] words = new long[BitPacking.words((long) size * n1)];
        BitPacking.pack(z1, 0, size * n1, words, 0);
        return words;
    }

    void restore(long[] packedStates, double[] weights, double committed, long[] randomState) {
        if (packedStates.length != BitPacking.words((long) size * n1) || weights.length != size) {
            throw new IllegalArgumentException("population state for " + size + " particles of " + n1
                    + " units has " + packedStates.length + " words and " + weights.length + " weights");
        }
        BitPacking.unpack(packedStates, 0, size * n1, z1, 0);
        System.arraycopy(weights, 0, logWeights, 0, size);
        committedLogRatio = committed;
        random().restore(randomState);
    }

    double committedLogRatio() {
        return committedLogRatio;
    }
}
