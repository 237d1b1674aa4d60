package dvae.math.rbm;

import static dvae.math.tensor.VectorFunctions.LOG2_E;
import static dvae.math.tensor.VectorFunctions.exp2;
import static dvae.math.tensor.VectorFunctions.softplus;
import static dvae.math.tensor.VectorFunctions.vectorStart;

import dvae.math.random.RandomStream;
import dvae.math.tensor.Scalars;
import dvae.math.tensor.VectorFunctions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise halves of RBM sampling and annealing, vectorised with the Vector API (16 float lanes with
 * AVX-512). Scalar {@code Math.exp} plus a random draw per unit costs several times a whole Gibbs step's matrix
 * products; these kernels keep it to a small fraction. Every kernel works on row-major {@code rows × cols} blocks and
 * adds a per-column bias, so one call covers a batch of chains.
 *
 * <p>Rows whose length is not a multiple of the lane count end with one full vector overlapping the previous one
 * (recomputing a few elements) because masked loads and stores are several times slower in JDK 17; reductions
 * weight the overlapped lanes by zero. Rows shorter than one vector take a scalar path.
 */
final class VectorMath {
    private static final VectorSpecies<Float> LANES = VectorFunctions.LANES;
    private static final int L = LANES.length();
    /** 64-bit lanes of the same vector width, for the random generators. */
    private static final VectorSpecies<Long> WORDS = LongVector.SPECIES_PREFERRED;
    private static final float UNIFORM_UNIT = 0x1.0p-24f;
    /** Lane k holds 1 << k: weights that turn lanes of 0 or 1 into their bit pattern. */
    private static final IntVector LANE_BITS = IntVector.fromArray(IntVector.SPECIES_PREFERRED,
            java.util.stream.IntStream.range(0, L).map(k -> 1 << k).toArray(), 0);
    /** Beyond this |exponent| float exp over- or underflows; clamping changes no sampled bit. */
    private static final float EXP_LIMIT = 80f;
    /** Below this |d| the annealing increment uses the cancellation-free log1p form. */
    private static final float SMALL_STEP = 1f;
    /**
     * Below this |d| it uses its Taylor series in d to the fifth power instead, which needs no logarithm: its
     * truncation error there is below 5e-8 of the increment (1.4e-8 at |d| = 0.1, 4.8e-7 at 0.2, in double over
     * x in [−40, 40]). Annealing steps are this small: with 500 temperatures d is a 500th of a pre-activation.
     */
    private static final float SERIES_STEP = 0.125f;

    private VectorMath() {
    }

    /** The length a buffer for {@link #fillUniform} of n values needs: n rounded up to whole vectors. */
    static int uniformBufferLength(int n) {
        return (n + L - 1) / L * L;
    }

    /**
     * Fills out[0, n) (and up to the next whole vector) with uniforms on [0, 1) of 24 random bits, as
     * RandomStream.nextFloat draws them, about four times faster than its scalar fill: xoshiro256++ runs in each
     * 64-bit lane, each lane's output giving two floats. The lane generators are seeded afresh from rng on every
     * call, so rng's state alone determines the draws and checkpoints need nothing else.
     */
    static void fillUniform(RandomStream rng, float[] out, int n) {
        // Loaded here, not returned from a helper: vectors crossing a call boundary into a loop stay boxed.
        long[] seeds = new long[4 * WORDS.length()];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = rng.nextLong();
        }
        LongVector s0 = LongVector.fromArray(WORDS, seeds, 0);
        LongVector s1 = LongVector.fromArray(WORDS, seeds, WORDS.length());
        LongVector s2 = LongVector.fromArray(WORDS, seeds, 2 * WORDS.length());
        LongVector s3 = LongVector.fromArray(WORDS, seeds, 3 * WORDS.length());
        for (int i = 0; i < n; i += L) {
            LongVector sum = s0.add(s3);
            // Rotations as shift-or pairs: JDK 17 does not compile the ROL operator to vector instructions.
            LongVector bits = sum.lanewise(VectorOperators.LSHL, 23).or(sum.lanewise(VectorOperators.LSHR, 41))
                    .add(s0);
            LongVector t = s1.lanewise(VectorOperators.LSHL, 17);
            s2 = s2.lanewise(VectorOperators.XOR, s0);
            s3 = s3.lanewise(VectorOperators.XOR, s1);
            s1 = s1.lanewise(VectorOperators.XOR, s2);
            s0 = s0.lanewise(VectorOperators.XOR, s3);
            s2 = s2.lanewise(VectorOperators.XOR, t);
            s3 = s3.lanewise(VectorOperators.LSHL, 45).or(s3.lanewise(VectorOperators.LSHR, 19));
            ((FloatVector) bits.reinterpretAsInts().lanewise(VectorOperators.LSHR, 8).convert(VectorOperators.I2F, 0))
                    .mul(UNIFORM_UNIT).intoArray(out, i);
        }
    }

    /**
     * out[r, c] = 1 if u[r, c] < σ(actScale·act[r, c] + biasScale·bias[c]) else 0. The comparison is done as
     * u·(1 + e^{−x}) < 1, which needs one exp and no division. out must not alias act.
     */
    static void sampleBernoulli(float[] act, int actOff, float actScale, float[] bias, int biasOff, float biasScale,
                                int rows, int cols, float[] uniforms, float[] out, int outOff) {
        if (cols < L) {
            sampleBernoulliScalar(act, actOff, actScale, bias, biasOff, biasScale, rows, cols, uniforms, out, outOff,
                    null, 0);
            return;
        }
        // e^{−x} = 2^y with y = −x·log2(e) = act·ka + biasY[c]: one fused multiply-add per lane.
        FloatVector ka = FloatVector.broadcast(LANES, -actScale * LOG2_E);
        float[] biasY = exponentBiases(bias, biasOff, biasScale, cols);
        int steps = patternsPerRow(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int k = 0; k < steps; k++) {
                int c = vectorStart(k, cols);
                FloatVector e = exp2(FloatVector.fromArray(LANES, act, actOff + row + c)
                        .fma(ka, FloatVector.fromArray(LANES, biasY, c)));
                FloatVector u = FloatVector.fromArray(LANES, uniforms, row + c);
                VectorMask<Float> on = u.fma(e, u).compare(VectorOperators.LT, 1f);
                FloatVector.zero(LANES).blend(1f, on).intoArray(out, outOff + row + c);
            }
        }
    }

    /**
     * {@link #sampleBernoulli}, recording which units the draw changed as bit patterns, one int per vector of the row
     * ({@link #patternsPerRow} of them, row r's from {@code flipsOff + r·patterns}): bit k of vector j's pattern
     * stands for unit {@link VectorFunctions#vectorStart}(j) + k. A kernel of its own, not a test in the plain one's
     * loop: with both in one method the JIT stopped inlining the draw and the plain kernel ran five times slower.
     */
    static void sampleBernoulliRecordingFlips(float[] act, int actOff, float actScale, float[] bias, int biasOff,
                                              float biasScale, int rows, int cols, float[] uniforms, float[] out,
                                              int outOff, int[] flips, int flipsOff) {
        if (cols < L) {
            sampleBernoulliScalar(act, actOff, actScale, bias, biasOff, biasScale, rows, cols, uniforms, out, outOff,
                    flips, flipsOff);
            return;
        }
        FloatVector ka = FloatVector.broadcast(LANES, -actScale * LOG2_E);
        float[] biasY = exponentBiases(bias, biasOff, biasScale, cols);
        int steps = patternsPerRow(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int k = 0; k < steps; k++) {
                int c = vectorStart(k, cols);
                FloatVector e = exp2(FloatVector.fromArray(LANES, act, actOff + row + c)
                        .fma(ka, FloatVector.fromArray(LANES, biasY, c)));
                FloatVector u = FloatVector.fromArray(LANES, uniforms, row + c);
                VectorMask<Float> on = u.fma(e, u).compare(VectorOperators.LT, 1f);
                FloatVector z = FloatVector.zero(LANES).blend(1f, on);
                // 0f and 1f differ in bits 29 and up: the changed lanes' XOR shifted right by 29 is nonzero (1), and
                // weighted by each lane's bit their OR is the pattern. An overlapping last vector reads the lanes the
                // one before has already written, finds them unchanged and sets no bit twice.
                flips[flipsOff + r * steps + k] = z.reinterpretAsInts()
                        .lanewise(VectorOperators.XOR, FloatVector.fromArray(LANES, out, outOff + row + c)
                                .reinterpretAsInts())
                        .lanewise(VectorOperators.LSHR, 29).mul(LANE_BITS).reduceLanes(VectorOperators.OR);
                z.intoArray(out, outOff + row + c);
            }
        }
    }

    /** −biasScale·log2(e)·bias[c]: the bias part of the draws' exponent. */
    private static float[] exponentBiases(float[] bias, int biasOff, float biasScale, int cols) {
        float[] biasY = new float[cols];
        for (int c = 0; c < cols; c++) {
            biasY[c] = -biasScale * LOG2_E * bias[biasOff + c];
        }
        return biasY;
    }

    /** Rows shorter than a vector, with the changes recorded when flips is non-null. */
    private static void sampleBernoulliScalar(float[] act, int actOff, float actScale, float[] bias, int biasOff,
                                              float biasScale, int rows, int cols, float[] uniforms, float[] out,
                                              int outOff, int[] flips, int flipsOff) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            int pattern = 0;
            for (int c = 0; c < cols; c++) {
                float x = actScale * act[actOff + row + c] + biasScale * bias[biasOff + c];
                float u = uniforms[row + c];
                float z = u * (1f + (float) Math.exp(Math.min(-x, EXP_LIMIT))) < 1f ? 1f : 0f;
                pattern |= (z != out[outOff + row + c] ? 1 : 0) << c;
                out[outOff + row + c] = z;
            }
            if (flips != null) {
                flips[flipsOff + r] = pattern;
            }
        }
    }

    /** The flip patterns per row of a side of {@code cols} units: one per vector of the row (one if shorter). */
    static int patternsPerRow(int cols) {
        return cols < L ? 1 : (cols + L - 1) / L;
    }

    /** The number of set bits in rows × patterns flip patterns from flipsOff. */
    static int countFlips(int[] flips, int flipsOff, int rows, int patterns) {
        int n = 0;
        for (int i = flipsOff, end = flipsOff + rows * patterns; i < end; i++) {
            n += Integer.bitCount(flips[i]);
        }
        return n;
    }

    /**
     * c[r, ·] += Σ_i (z[r, i] − z_before[r, i])·rowsOf[i, ·] over the units i whose flip bits are set (see {@link
     * #sampleBernoulli}), for each of {@code rows} rows of width {@code width}: a product z·M brought up to date after
     * z changed, rowsOf being M (units × width, row-major) and z (rows × units from zOff) the new states, whose value
     * at a changed unit gives the change's sign, M starting at rowsOfOff. Costs a row addition per changed unit instead
     * of a product. Scratch: {@code gathered} of {@link #changedUnitWords}(units) longs, {@code scratch} of units ints.
     */
    static void addChangedRows(float[] c, int rows, int width, float[] rowsOf, int rowsOfOff, float[] z, int zOff,
                               int units, int[] flips, long[] gathered, int[] scratch) {
        int patterns = patternsPerRow(units);
        for (int r = 0; r < rows; r++) {
            int changed = changedUnits(flips, r * patterns, patterns, units, gathered, scratch);
            if (changed == 0) {
                continue;
            }
            int zRow = zOff + r * units;
            int row = r * width;
            if (width < L) {
                for (int k = 0; k < changed; k++) {
                    int i = scratch[k];
                    float sign = z[zRow + i] > 0 ? 1f : -1f;
                    for (int j = 0; j < width; j++) {
                        c[row + j] += sign * rowsOf[rowsOfOff + i * width + j];
                    }
                }
                continue;
            }
            // Up to eight vectors of the row at a time, held in registers over all its changed units.
            int vectors = (width + L - 1) / L;
            for (int j = 0; j < vectors; ) {
                int count = VectorFunctions.blockLength(j, vectors, width, 8);
                int lastOfBlock = j + count - 1;
                addChangedRowsBlock(c, row, rowsOf, rowsOfOff, width, z, zRow, scratch, changed,
                        vectorStart(j, width), vectorStart(Math.min(j + 1, lastOfBlock), width),
                        vectorStart(Math.min(j + 2, lastOfBlock), width),
                        vectorStart(Math.min(j + 3, lastOfBlock), width),
                        vectorStart(Math.min(j + 4, lastOfBlock), width),
                        vectorStart(Math.min(j + 5, lastOfBlock), width),
                        vectorStart(Math.min(j + 6, lastOfBlock), width),
                        vectorStart(Math.min(j + 7, lastOfBlock), width));
                j += count;
            }
        }
    }

    /** The length of the scratch words {@link #addChangedRows} gathers a row's patterns into. */
    static int changedUnitWords(int units) {
        return (units + 63) >>> 6;
    }

    /**
     * The units whose bits are set in a row's patterns [at, at + patterns), written to out; returns their number. The
     * patterns are first gathered into 64-unit words (a ragged row's overlapping last pattern ORed in), so that the
     * loops over set bits, whose ends the processor cannot predict, run once per 64 units rather than once per vector.
     */
    private static int changedUnits(int[] flips, int at, int patterns, int units, long[] gathered, int[] out) {
        int longs = changedUnitWords(units);
        java.util.Arrays.fill(gathered, 0, longs, 0L);
        for (int j = 0; j < patterns; j++) {
            int first = vectorStart(j, units);
            long pattern = flips[at + j] & 0xffffffffL;
            int shift = first & 63;
            gathered[first >>> 6] |= pattern << shift;
            if (shift > 64 - L) { // the pattern's L bits reach into the next word (which holds unit first + L − 1)
                gathered[(first >>> 6) + 1] |= pattern >>> (64 - shift);
            }
        }
        int n = 0;
        for (int k = 0; k < longs; k++) {
            long m = gathered[k];
            while (m != 0) {
                out[n++] = (k << 6) + Long.numberOfTrailingZeros(m);
                m &= m - 1;
            }
        }
        return n;
    }

    private static void addChangedRowsBlock(float[] c, int row, float[] m, int mOff, int width, float[] z, int zRow,
                                            int[] units, int changed, int p0, int p1, int p2, int p3, int p4, int p5,
                                            int p6, int p7) {
        FloatVector a0 = FloatVector.fromArray(LANES, c, row + p0);
        FloatVector a1 = FloatVector.fromArray(LANES, c, row + p1);
        FloatVector a2 = FloatVector.fromArray(LANES, c, row + p2);
        FloatVector a3 = FloatVector.fromArray(LANES, c, row + p3);
        FloatVector a4 = FloatVector.fromArray(LANES, c, row + p4);
        FloatVector a5 = FloatVector.fromArray(LANES, c, row + p5);
        FloatVector a6 = FloatVector.fromArray(LANES, c, row + p6);
        FloatVector a7 = FloatVector.fromArray(LANES, c, row + p7);
        for (int k = 0; k < changed; k++) {
            int i = units[k];
            int b = mOff + i * width;
            FloatVector sign = FloatVector.broadcast(LANES, 2 * z[zRow + i] - 1); // +1 turned on, −1 turned off
            a0 = FloatVector.fromArray(LANES, m, b + p0).fma(sign, a0);
            a1 = FloatVector.fromArray(LANES, m, b + p1).fma(sign, a1);
            a2 = FloatVector.fromArray(LANES, m, b + p2).fma(sign, a2);
            a3 = FloatVector.fromArray(LANES, m, b + p3).fma(sign, a3);
            a4 = FloatVector.fromArray(LANES, m, b + p4).fma(sign, a4);
            a5 = FloatVector.fromArray(LANES, m, b + p5).fma(sign, a5);
            a6 = FloatVector.fromArray(LANES, m, b + p6).fma(sign, a6);
            a7 = FloatVector.fromArray(LANES, m, b + p7).fma(sign, a7);
        }
        // Where positions coincide (a short block's repeated last one) the same values land.
        a7.intoArray(c, row + p7);
        a6.intoArray(c, row + p6);
        a5.intoArray(c, row + p5);
        a4.intoArray(c, row + p4);
        a3.intoArray(c, row + p3);
        a2.intoArray(c, row + p2);
        a1.intoArray(c, row + p1);
        a0.intoArray(c, row + p0);
    }

    /** out[r, c] = σ(act[r, c] + bias[c]): conditional means, for Rao-Blackwellised statistics. */
    static void sigmoid(float[] act, float[] bias, int rows, int cols, float[] out) {
        int bound = LANES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            if (cols < L) {
                for (int c = 0; c < cols; c++) {
                    out[row + c] = (float) (1 / (1 + Math.exp(Math.min(-(act[row + c] + bias[c]), EXP_LIMIT))));
                }
                continue;
            }
            for (int c = 0; c < bound; c += L) {
                sigmoidLanes(act, row + c, bias, c).intoArray(out, row + c);
            }
            if (bound < cols) {
                sigmoidLanes(act, row + cols - L, bias, cols - L).intoArray(out, row + cols - L);
            }
        }
    }

    private static FloatVector sigmoidLanes(float[] act, int actAt, float[] bias, int biasAt) {
        return VectorFunctions.sigmoid(FloatVector.fromArray(LANES, act, actAt)
                .add(FloatVector.fromArray(LANES, bias, biasAt)));
    }

    /**
     * rowSums[rowSumsOff + r] = Σ_c softplus(act[actOff + r·cols + c] + bias[c]), summed in float lanes (a few
     * hundred terms at most).
     */
    static void rowSoftplusSums(float[] act, int actOff, float[] bias, int rows, int cols, double[] rowSums,
                                int rowSumsOff) {
        int bound = LANES.loopBound(cols);
        FloatVector tail = VectorFunctions.tailWeights(cols);
        for (int r = 0; r < rows; r++) {
            int row = actOff + r * cols;
            if (cols < L) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += Scalars.softplus((double) act[row + c] + bias[c]);
                }
                rowSums[rowSumsOff + r] = sum;
                continue;
            }
            FloatVector acc = FloatVector.zero(LANES);
            for (int c = 0; c < bound; c += L) {
                acc = acc.add(softplusLanes(act, row + c, bias, c));
            }
            if (bound < cols) {
                acc = softplusLanes(act, row + cols - L, bias, cols - L).fma(tail, acc);
            }
            rowSums[rowSumsOff + r] = VectorFunctions.sumLanes(acc);
        }
    }

    private static FloatVector softplusLanes(float[] act, int actAt, float[] bias, int biasAt) {
        return softplus(FloatVector.fromArray(LANES, act, actAt).add(FloatVector.fromArray(LANES, bias, biasAt)));
    }

    /**
     * One annealing step of the side-2 factor of an RBM's side-1 marginal. With coupling input c = z1·W, the
     * pre-activation moves from x = sw·c + sb·b to x + d, d = dsw·c + dsb·b; this adds Σ_c [softplus(x + d) −
     * softplus(x)] to rowSums[r] and overwrites c with x + d, the pre-activation the next sample of side 2 needs.
     * The increment is computed from its series in d or as log1p(σ(x)·expm1(d)) ({@link #softplusIncrement}),
     * exact to float rounding of the (small) increment itself rather than of the softplus values.
     */
    static void annealSoftplusStep(float[] c, float[] bias, float sw, float sb, float dsw, float dsb,
                                   int rows, int cols, double[] rowSums, int rowSumsOff) {
        int bound = LANES.loopBound(cols);
        FloatVector tail = VectorFunctions.tailWeights(cols);
        // The biases' parts of x and d, once per call: then each is one fused multiply-add per lane.
        float[] biasX = new float[cols];
        float[] biasD = new float[cols];
        for (int k = 0; k < cols; k++) {
            biasX[k] = sb * bias[k];
            biasD[k] = dsb * bias[k];
        }
        FloatVector scaleX = FloatVector.broadcast(LANES, sw);
        FloatVector scaleD = FloatVector.broadcast(LANES, dsw);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            if (cols < L) {
                for (int k = 0; k < cols; k++) {
                    double x = (double) sw * c[row + k] + (double) sb * bias[k];
                    double d = (double) dsw * c[row + k] + (double) dsb * bias[k];
                    rowSums[rowSumsOff + r] += Math.abs(d) < SMALL_STEP ? Math.log1p(Math.expm1(d) / (1 + Math.exp(-x)))
                            : Scalars.softplus(x + d) - Scalars.softplus(x);
                    c[row + k] = (float) (x + d);
                }
                continue;
            }
            // The overlapping last vector reads its inputs before the main loop overwrites them.
            int last = row + cols - L;
            FloatVector lastC = FloatVector.fromArray(LANES, c, last);
            FloatVector acc = FloatVector.zero(LANES);
            for (int k = 0; k < bound; k += L) {
                FloatVector coupling = FloatVector.fromArray(LANES, c, row + k);
                FloatVector x = coupling.fma(scaleX, FloatVector.fromArray(LANES, biasX, k));
                FloatVector d = coupling.fma(scaleD, FloatVector.fromArray(LANES, biasD, k));
                acc = acc.add(softplusIncrement(x, d));
                x.add(d).intoArray(c, row + k);
            }
            if (bound < cols) {
                FloatVector x = lastC.fma(scaleX, FloatVector.fromArray(LANES, biasX, cols - L));
                FloatVector d = lastC.fma(scaleD, FloatVector.fromArray(LANES, biasD, cols - L));
                acc = softplusIncrement(x, d).fma(tail, acc);
                x.add(d).intoArray(c, last);
            }
            rowSums[rowSumsOff + r] += VectorFunctions.sumLanes(acc);
        }
    }

    /**
     * softplus(x + d) − softplus(x): by its series in d about y = x + d while |d| is small, where it costs one
     * sigmoid, else as log1p(σ(x)·expm1(d)), or the plain difference once |d| is large.
     */
    static FloatVector softplusIncrement(FloatVector x, FloatVector d) {
        FloatVector inc = softplusIncrementSeries(VectorFunctions.sigmoid(x.add(d)), d);
        FloatVector size = d.abs();
        VectorMask<Float> beyondSeries = size.compare(VectorOperators.GE, SERIES_STEP);
        if (beyondSeries.anyTrue()) {
            FloatVector wide = VectorFunctions.log1p(VectorFunctions.sigmoid(x).mul(VectorFunctions.expm1Small(d)));
            VectorMask<Float> large = size.compare(VectorOperators.GE, SMALL_STEP);
            if (large.anyTrue()) {
                wide = wide.blend(softplus(x.add(d)).sub(softplus(x)), large);
            }
            inc = inc.blend(wide, beyondSeries);
        }
        return inc;
    }

    /**
     * softplus(y) − softplus(y − d) = Σ_k (−1)^(k+1) f_k(y)·d^k/k! to k = 5, with s = σ(y) and the derivatives of
     * softplus as polynomials in s: f1 = s, f2 = q = s(1 − s), f3 = q(1 − 2s), f4 = q(1 − 6q), f5 = f3(1 − 12q).
     */
    private static FloatVector softplusIncrementSeries(FloatVector s, FloatVector d) {
        FloatVector q = s.sub(s.mul(s));
        FloatVector f3 = q.mul(s.mul(-2f).add(1f));
        FloatVector f4 = q.mul(q.mul(-6f).add(1f));
        FloatVector f5 = f3.mul(q.mul(-12f).add(1f));
        return f5.mul(1f / 120).fma(d, f4.mul(-1f / 24)).fma(d, f3.mul(1f / 6)).fma(d, q.mul(-0.5f)).fma(d, s).mul(d);
    }

    /** out[outOff + r] = Σ_c a[aOff + r·cols + c]·v[c], for the bias terms of energies (lanes in float). */
    static void rowDots(float[] a, int aOff, float[] v, int rows, int cols, double[] out, int outOff) {
        rowDots(a, aOff, v, 0, 0, rows, cols, out, outOff);
    }

    /** out[outOff + r] = Σ_c a[aOff + r·cols + c]·b[bOff + r·cols + c]: row r of a with row r of b. */
    static void pairedRowDots(float[] a, int aOff, float[] b, int bOff, int rows, int cols, double[] out, int outOff) {
        rowDots(a, aOff, b, bOff, cols, rows, cols, out, outOff);
    }

    /** Row r of a with v's row r (vStride apart; 0: the same vector for every row). */
    private static void rowDots(float[] a, int aOff, float[] v, int vOff, int vStride, int rows, int cols,
                                double[] out, int outOff) {
        int bound = LANES.loopBound(cols);
        FloatVector tail = VectorFunctions.tailWeights(cols);
        for (int r = 0; r < rows; r++) {
            int row = aOff + r * cols;
            int vRow = vOff + r * vStride;
            if (cols < L) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += (double) a[row + c] * v[vRow + c];
                }
                out[outOff + r] = sum;
                continue;
            }
            FloatVector acc = FloatVector.zero(LANES);
            for (int c = 0; c < bound; c += L) {
                acc = FloatVector.fromArray(LANES, a, row + c).fma(FloatVector.fromArray(LANES, v, vRow + c), acc);
            }
            if (bound < cols) {
                FloatVector lastTerms = FloatVector.fromArray(LANES, a, row + cols - L)
                        .mul(FloatVector.fromArray(LANES, v, vRow + cols - L));
                acc = lastTerms.fma(tail, acc);
            }
            out[outOff + r] = VectorFunctions.sumLanes(acc);
        }
    }
}
