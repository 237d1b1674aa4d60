package dvae.math.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp2, expm1, log1p, sigmoid and softplus on whole float vectors, for the kernels that apply them to every unit
 * (Bernoulli draws, annealing increments, log-likelihoods). They are this project's own: the JIT calls the Vector
 * API's EXP, EXPM1 and LOG1P out of line (JDK 17), and the element-wise halves of sampling, annealing and the
 * likelihood spent their time there.
 */
public final class VectorFunctions {
    /** The one float species of the program (mixing widths made vector code allocate; see the README). */
    public static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    public static final float LOG2_E = (float) (1 / Math.log(2));
    private static final float EXP2_LIMIT = 125f;
    /** Adding 1.5·2^23 rounds a float to an integer, which its low mantissa bits then hold. */
    private static final float ROUNDING_SHIFT = 0x1.8p23f;
    // 2^f ≈ 1 + f·(P1 + f·(P2 + f·(P3 + f·(P4 + f·P5)))) on |f| ≤ ½: near-minimax for the relative error (Lawson's
    // iteration, constant term held at 1 so that 2^n stays exact), 9e-8 in exact arithmetic and 1.9e-7 evaluated in
    // float, against 1.6e-7 and 2.4e-7 for the degree-6 Taylor polynomial it replaced, with one multiply-add fewer.
    // Constant vectors (broadcast inside a loop they were slower).
    private static final FloatVector P5 = FloatVector.broadcast(LANES, 0.001326472731307149f);
    private static final FloatVector P4 = FloatVector.broadcast(LANES, 0.009671512991189957f);
    private static final FloatVector P3 = FloatVector.broadcast(LANES, 0.05550733581185341f);
    private static final FloatVector P2 = FloatVector.broadcast(LANES, 0.24022242426872253f);
    private static final FloatVector P1 = FloatVector.broadcast(LANES, 0.6931470036506653f);
    private static final FloatVector ONE = FloatVector.broadcast(LANES, 1f);
    /** For {@link #sumLanes}: lane i takes lane i + 8, 4, 2 or 1 (mod L), one rearrangement per level. */
    private static final VectorShuffle<Float> ON_8 = laneOn(8);
    private static final VectorShuffle<Float> ON_4 = laneOn(4);
    private static final VectorShuffle<Float> ON_2 = laneOn(2);
    private static final VectorShuffle<Float> ON_1 = laneOn(1);
    /** Vectors wider than 16 lanes (SVE): their levels above those four, L/2 down to 16, made once. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] WIDE_LEVELS = java.util.stream.IntStream
            .iterate(LANES.length() / 2, half -> half >= 16, half -> half / 2)
            .mapToObj(VectorFunctions::laneOn).toArray(VectorShuffle[]::new);
    // 1/k!, k = 2..10: e^d − 1 = d·(1 + d/2! + d²/3! + … + d⁹/10!) within 3e-8 relative for |d| ≤ 1. Fields, not
    // an array: a vector read from an array is of no class the JIT can count on, and it left the arithmetic on it to
    // the Vector API's Java fallback in 4 of 7 training runs (JFR: 0.9-2.5% of their Java samples in expm1Small).
    private static final FloatVector E2 = inverseFactorial(2);
    private static final FloatVector E3 = inverseFactorial(3);
    private static final FloatVector E4 = inverseFactorial(4);
    private static final FloatVector E5 = inverseFactorial(5);
    private static final FloatVector E6 = inverseFactorial(6);
    private static final FloatVector E7 = inverseFactorial(7);
    private static final FloatVector E8 = inverseFactorial(8);
    private static final FloatVector E9 = inverseFactorial(9);
    private static final FloatVector E10 = inverseFactorial(10);
    // 2/(2k+1), k = 1..4: log m = 2·atanh(s) = s·(2 + s²·(2/3 + s²·(2/5 + s²·(2/7 + s²·2/9)))), |s| ≤ 0.172.
    private static final FloatVector L3 = FloatVector.broadcast(LANES, 2f / 3);
    private static final FloatVector L5 = FloatVector.broadcast(LANES, 2f / 5);
    private static final FloatVector L7 = FloatVector.broadcast(LANES, 2f / 7);
    private static final FloatVector L9 = FloatVector.broadcast(LANES, 2f / 9);
    private static final FloatVector TWO = FloatVector.broadcast(LANES, 2f);
    // log(1 + t) = t + t²·Q(t) on [0, 1], Q of degree 8 fitted to (log1p(t)/t − 1)/t by Chebyshev least squares
    // weighted for relative error, coefficients rounded to float: within 1.2e-7 relative, evaluated with fused
    // multiply-adds (computed in double over 2 million points and powers of two down to 2^-139).
    // (Single constants: from an array, in a loop, they made the likelihood kernel six times slower.)
    private static final FloatVector Q0 = FloatVector.broadcast(LANES, -4.999990463e-01f);
    private static final FloatVector Q1 = FloatVector.broadcast(LANES, 3.332982361e-01f);
    private static final FloatVector Q2 = FloatVector.broadcast(LANES, -2.495247722e-01f);
    private static final FloatVector Q3 = FloatVector.broadcast(LANES, 1.966823936e-01f);
    private static final FloatVector Q4 = FloatVector.broadcast(LANES, -1.528733075e-01f);
    private static final FloatVector Q5 = FloatVector.broadcast(LANES, 1.058013439e-01f);
    private static final FloatVector Q6 = FloatVector.broadcast(LANES, -5.680125952e-02f);
    private static final FloatVector Q7 = FloatVector.broadcast(LANES, 1.980574615e-02f);
    private static final FloatVector Q8 = FloatVector.broadcast(LANES, -3.242169507e-03f);
    private static final float SQRT2 = (float) Math.sqrt(2);
    // ln 2 in two parts, the first with few enough bits that e·LN2_HI is exact for the exponents of floats.
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = (float) (Math.log(2) - 0.693145751953125);

    private VectorFunctions() {
    }

    /**
     * 2^y, to 2e-7 relative for |y| ≤ 125 (clamped beyond): n = round(y) goes into the exponent bits and 2^f,
     * f = y − n, |f| ≤ ½, is a degree-5 polynomial.
     */
    public static FloatVector exp2(FloatVector y) {
        FloatVector clamped = y.max(-EXP2_LIMIT).min(EXP2_LIMIT);
        FloatVector shifted = clamped.add(ROUNDING_SHIFT);
        FloatVector f = clamped.sub(shifted.sub(ROUNDING_SHIFT));
        FloatVector p = f.fma(P5, P4).fma(f, P3).fma(f, P2).fma(f, P1).fma(f, ONE);
        return p.reinterpretAsInts().add(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23))
                .reinterpretAsFloats();
    }

    /**
     * e^d − 1 for |d| ≤ 1, to 2e-7 relative (accurate also for tiny d, where e^d − 1 computed as written is not):
     * d times the degree-9 Taylor polynomial of (e^d − 1)/d.
     */
    public static FloatVector expm1Small(FloatVector d) {
        FloatVector p = d.fma(E10, E9).fma(d, E8).fma(d, E7).fma(d, E6).fma(d, E5).fma(d, E4).fma(d, E3).fma(d, E2);
        return p.fma(d, ONE).mul(d);
    }

    private static FloatVector inverseFactorial(int k) {
        double factorial = 1;
        for (int i = 2; i <= k; i++) {
            factorial *= i;
        }
        return FloatVector.broadcast(LANES, (float) (1 / factorial));
    }

    /**
     * log(1 + y) for y > −1 (finite), to 3e-7 relative: u = 1 + y is split into 2^e·m with m in [√½, √2), log m =
     * 2·atanh((m − 1)/(m + 1)) by its odd series, and (y − (u − 1))/u puts back what rounding 1 + y lost, which keeps
     * tiny y exact.
     */
    public static FloatVector log1p(FloatVector y) {
        FloatVector u = y.add(1f);
        IntVector bits = u.reinterpretAsInts();
        FloatVector e = (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).lanewise(VectorOperators.AND, 0xff)
                .sub(127).convert(VectorOperators.I2F, 0);
        FloatVector m = bits.lanewise(VectorOperators.AND, 0x007fffff).lanewise(VectorOperators.OR, 0x3f800000)
                .reinterpretAsFloats();
        VectorMask<Float> high = m.compare(VectorOperators.GT, SQRT2);
        m = m.blend(m.mul(0.5f), high);
        e = e.blend(e.add(1f), high);
        FloatVector s = m.sub(1f).div(m.add(1f));
        FloatVector s2 = s.mul(s);
        FloatVector logM = s2.fma(L9, L7).fma(s2, L5).fma(s2, L3).fma(s2, TWO).mul(s);
        FloatVector correction = y.sub(u.sub(1f)).div(u);
        return e.mul(LN2_HI).add(logM.add(e.mul(LN2_LO).add(correction)));
    }

    /**
     * log(1 + t) for t in [0, 1], to 1.2e-7 relative (tested to 3e-7), also for tiny t: t + t²·Q(t), nine fused
     * multiply-adds and no division. softplus needs it for e^−|x|, which lies in that range; the general
     * {@link #log1p} spends two divisions and the exponent split on arguments it never sees there.
     */
    public static FloatVector log1pUnit(FloatVector t) {
        FloatVector q = t.fma(Q8, Q7).fma(t, Q6).fma(t, Q5).fma(t, Q4).fma(t, Q3).fma(t, Q2).fma(t, Q1).fma(t, Q0);
        return q.mul(t).fma(t, t);
    }

    /**
     * The sum of v's lanes in one fixed order (a pairwise tree). {@code reduceLanes(ADD)} leaves the order to the
     * implementation, and the interpreted and the compiled code's differ, so a float sum changed in its last bit once
     * the JIT had compiled the caller, at a moment that varies from run to run: runs with the same seed and parts
     * drifted apart (measured: two 2-part runs of the reference trainer on MNIST first differed at step 6). Each level
     * adds the lanes half a width on, moved down by a constant rearrangement: the same sums as moving them with
     * {@code slice}, in 4.8 instead of 8.0 ns (16 lanes, a throw-away timing loop).
     */
    public static float sumLanes(FloatVector v) {
        // Level by level in straight-line code, each level's rearrangement a constant: as a loop over an array of
        // them, the vector was boxed at every level where the caller did not inline this (JFR allocation samples).
        for (VectorShuffle<Float> level : WIDE_LEVELS) { // none up to 16 lanes: the JIT drops the loop
            v = v.add(v.rearrange(level));
        }
        if (LANES.length() >= 16) {
            v = v.add(v.rearrange(ON_8));
        }
        if (LANES.length() >= 8) {
            v = v.add(v.rearrange(ON_4));
        }
        if (LANES.length() >= 4) {
            v = v.add(v.rearrange(ON_2));
        }
        v = v.add(v.rearrange(ON_1));
        return v.lane(0);
    }

    private static VectorShuffle<Float> laneOn(int shift) {
        return VectorShuffle.fromOp(LANES, i -> (i + shift) % LANES.length());
    }

    /**
     * The first value of vector j of a row of {@code cols} values covered by whole vectors, the last of a ragged row
     * overlapping the one before (0 for a row shorter than a vector).
     */
    public static int vectorStart(int j, int cols) {
        return Math.min(j * LANES.length(), Math.max(0, cols - LANES.length()));
    }

    /**
     * How many of a row's vectors, from vector j of {@code vectors}, form the next block of at most {@code max}: a
     * ragged row's overlapping last vector stays in the block of the one before it, so that a block which loads all
     * its vectors before it stores any computes their shared lanes alike, and adds to them once.
     */
    public static int blockLength(int j, int vectors, int cols, int max) {
        int count = Math.min(max, vectors - j);
        if (cols % LANES.length() != 0 && vectors - (j + count) == 1) {
            count--;
        }
        return count;
    }

    /**
     * For a row of {@code cols} values whose last vector overlaps the one before (cols not a multiple of the lanes):
     * 0 on the lanes the main loop already covered, 1 on the rest.
     */
    public static FloatVector tailWeights(int cols) {
        int fresh = cols % LANES.length();
        float[] weights = new float[LANES.length()];
        for (int i = LANES.length() - fresh; i < LANES.length(); i++) {
            weights[i] = 1f;
        }
        return FloatVector.fromArray(LANES, weights, 0);
    }

    /** σ(x) = 1/(1 + e^−x). */
    public static FloatVector sigmoid(FloatVector x) {
        return ONE.div(exp2(x.mul(-LOG2_E)).add(1f));
    }

    /** softplus(x) = max(x, 0) + log1p(e^−|x|). */
    public static FloatVector softplus(FloatVector x) {
        return x.max(0f).add(log1pUnit(exp2(x.abs().mul(-LOG2_E))));
    }
}
