package dvae.math.rbm;

import dvae.math.blas.Blas;
import dvae.math.random.RandomStream;
import dvae.math.tensor.BatchedKernels;
import dvae.math.util.Parallel;

/**
 * Block-Gibbs sweeps for batches of chains: each sweep samples z2 ~ Bern(σ(z1W + b2)), then z1 ~ Bern(σ(z2Wᵀ +
 * b1)). Chain states are row-major float 0/1 arrays (chains × n1 and chains × n2); the matrix products go to BLAS
 * and the Bernoulli draws to {@link VectorMath}. Tempered sweeps scale the couplings by sw and the biases by sb,
 * which covers annealing from the uniform distribution (sw = sb = β) and from the biases (sw = β, sb = 1).
 *
 * <p>An engine owns its scratch buffers and random stream: one per thread.
 */
public final class BlockGibbs {
    /** Uniforms drawn per block: 32 KB, small enough to stay in cache until the comparisons read them. */
    private static final int UNIFORM_BLOCK = 8192;
    /**
     * Up to this many chains the products run as Java matrix-vector products: a per-example posterior sweep (one chain
     * each) is thousands of tiny BLAS calls per step otherwise, each costing more in JNI and thread hand-off than in
     * arithmetic.
     */
    private static final int SMALL_ROWS = 4;
    /**
     * Chains or examples per parallel part at least: below this a part's products are too small to repay the
     * hand-off to another core.
     */
    private static final int MIN_CHAINS_PER_PART = 64;
    private static final int MIN_EXAMPLES_PER_PART = 4;
    private RandomStream rng;
    private float[] act = new float[0];
    private float[] uniforms = new float[0];
    private CouplingInputs inputs;
    /** Engines of the parallel parts, each with its own scratch; their streams are seeded from rng at every call. */
    private BlockGibbs[] parts = new BlockGibbs[0];

    public BlockGibbs(RandomStream rng) {
        this.rng = rng;
    }

    public RandomStream random() {
        return rng;
    }

    /** Runs {@code sweeps} sweeps of {@code chains} chains of one RBM; z1 is read and written, z2 written. */
    public void sweeps(Rbm rbm, float[] z1, float[] z2, int chains, int sweeps) {
        sweeps(rbm, z1, z2, chains, sweeps, 1f, 1f);
    }

    /** Sweeps at the tempered distribution ∝ exp(sb·(b1·z1 + b2·z2) + sw·z1ᵀWz2). */
    public void sweeps(Rbm rbm, float[] z1, float[] z2, int chains, int sweeps, float sw, float sb) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        // Side 1's input is first updated by additions at the second sweep: one sweep needs no transposed copy.
        float[] wT = sweeps > 1 ? rbm.transposed().w() : null;
        inParts(chains, MIN_CHAINS_PER_PART, (engine, from, to) -> {
            CouplingInputs inputs = engine.couplingInputs();
            inputs.start(rbm, wT, z1, from * n1, z2, from * n2, to - from);
            for (int s = 0; s < sweeps; s++) {
                inputs.drawSide2(sw, sb);
                inputs.drawSide1(sw, sb);
            }
        });
    }

    /** Runs independent chains in parallel parts (see {@link #inParts(int, int, Part)}). */
    void inParts(int chains, Part part) {
        inParts(chains, MIN_CHAINS_PER_PART, part);
    }

    /** Work on the items [from, to) of a call, with an engine of its own. */
    interface Part {
        void run(BlockGibbs engine, int from, int to);
    }

    /**
     * Runs independent items (chains, or examples with their chains) as {@link Parallel#lanes()} contiguous parts
     * at once, each part with its own engine whose stream is seeded from this engine's stream, in part order, so the
     * draws depend only on this stream's state and the number of parts.
     */
    private void inParts(int items, int minPerPart, Part part) {
        int count = Math.min(Parallel.lanes(), items / minPerPart);
        if (count <= 1) {
            part.run(this, 0, items);
            return;
        }
        if (parts.length < count) {
            parts = java.util.Arrays.copyOf(parts, count);
        }
        for (int p = 0; p < count; p++) {
            RandomStream stream = new RandomStream(rng.nextLong());
            if (parts[p] == null) {
                parts[p] = new BlockGibbs(stream);
            } else {
                parts[p].rng = stream;
            }
        }
        BlockGibbs[] engines = parts;
        Parallel.forEach(count, p -> part.run(engines[p], Parallel.partStart(items, count, p),
                Parallel.partStart(items, count, p + 1)));
    }

    /**
     * Runs {@code sweeps} sweeps for every example of a batch of per-example RBMs, each with {@code replicas} chains:
     * z1 is batch × replicas × n1 (read and written), z2 batch × replicas × n2 (written). All sweeps of one example
     * run before the next, so its couplings stay in cache.
     */
    public void sweeps(RbmBatch batch, int replicas, float[] z1, float[] z2, int sweeps) {
        int n1 = batch.n1();
        int n2 = batch.n2();
        inParts(batch.size(), MIN_EXAMPLES_PER_PART, (engine, from, to) -> {
            CouplingInputs inputs = engine.couplingInputs();
            for (int e = from; e < to; e++) {
                inputs.start(batch, e, null, z1, e * replicas * n1, z2, e * replicas * n2, replicas);
                for (int s = 0; s < sweeps; s++) {
                    inputs.drawSide2(1f, 1f);
                    inputs.drawSide1(1f, 1f);
                }
            }
        });
    }

    /** z1 ~ Bern(σ(sw·z2Wᵀ + sb·b1)) for {@code rows} chains. */
    void sampleSide1(float[] w, int wOff, float[] b1, int b1Off, int n1, int n2,
                     float[] z2, int z2Off, float[] z1, int z1Off, int rows, float sw, float sb) {
        float[] a = activations(rows * n1);
        productSide1(w, wOff, n1, n2, z2, z2Off, rows, a);
        sample(a, sw, b1, b1Off, sb, rows, n1, z1, z1Off, null);
    }

    /** out = z1·W, rows × n2. */
    void productSide2(float[] w, int wOff, int n1, int n2, float[] z1, int z1Off, int rows, float[] out) {
        if (rows <= SMALL_ROWS) {
            for (int r = 0; r < rows; r++) {
                BatchedKernels.vecTimesW(w, wOff, n1, n2, z1, z1Off + r * n1, 0f, out, r * n2);
            }
        } else {
            Blas.sgemm(false, false, rows, n2, n1, 1f, z1, z1Off, n1, w, wOff, n2, 0f, out, 0, n2);
        }
    }

    /** out = z2·Wᵀ, rows × n1. */
    void productSide1(float[] w, int wOff, int n1, int n2, float[] z2, int z2Off, int rows, float[] out) {
        if (rows <= SMALL_ROWS) {
            for (int r = 0; r < rows; r++) {
                BatchedKernels.wTimesVec(w, wOff, n1, n2, z2, z2Off + r * n2, 0f, out, r * n1);
            }
        } else {
            Blas.sgemm(false, true, rows, n1, n2, 1f, z2, z2Off, n2, w, wOff, n2, 0f, out, 0, n1);
        }
    }

    /**
     * out = Bern(σ(actScale·act + biasScale·bias)) over rows × cols, with fresh uniforms drawn a block of rows at a
     * time so that they are still in cache when compared; with flips non-null the changed units are recorded there
     * (see {@link VectorMath#sampleBernoulli}).
     */
    void sample(float[] act, float actScale, float[] bias, int biasOff, float biasScale, int rows, int cols,
                float[] out, int outOff, int[] flips) {
        int blockRows = Math.max(1, UNIFORM_BLOCK / cols);
        if (uniforms.length < VectorMath.uniformBufferLength(blockRows * cols)) {
            uniforms = new float[VectorMath.uniformBufferLength(blockRows * cols)];
        }
        int patterns = VectorMath.patternsPerRow(cols);
        for (int r = 0; r < rows; r += blockRows) {
            int n = Math.min(blockRows, rows - r);
            VectorMath.fillUniform(rng, uniforms, n * cols);
            if (flips == null) {
                VectorMath.sampleBernoulli(act, r * cols, actScale, bias, biasOff, biasScale, n, cols, uniforms, out,
                        outOff + r * cols);
            } else {
                VectorMath.sampleBernoulliRecordingFlips(act, r * cols, actScale, bias, biasOff, biasScale, n, cols,
                        uniforms, out, outOff + r * cols, flips, r * patterns);
            }
        }
    }

    /** The engine's coupling inputs kept across the half-sweeps of one call. */
    CouplingInputs couplingInputs() {
        if (inputs == null) {
            inputs = new CouplingInputs(this);
        }
        return inputs;
    }

    /** The shared activation buffer, grown on demand. */
    float[] activations(int n) {
        if (act.length < n) {
            act = new float[n];
        }
        return act;
    }
}
