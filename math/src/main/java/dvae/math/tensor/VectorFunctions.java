package dvae.math.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp2, sigmoid and softplus on whole float vectors, for the kernels that apply them to every unit (Bernoulli draws,
 * annealing increments, log-likelihoods). The exponential is this project's own: the Vector API's EXP is called out
 * of line by the JIT, and the element-wise halves of sampling and annealing spend their time on it.
 */
public final class VectorFunctions {
    /** The one float species of the program (mixing widths made vector code allocate; see the README). */
    public static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    public static final float LOG2_E = (float) (1 / Math.log(2));
    private static final float EXP2_LIMIT = 125f;
    /** Adding 1.5·2^23 rounds a float to an integer, which its low mantissa bits then hold. */
    private static final float ROUNDING_SHIFT = 0x1.8p23f;
    // (ln 2)^k / k!, the Taylor coefficients of 2^f, as constant vectors (broadcast inside a loop they were slower).
    private static final FloatVector C6 = FloatVector.broadcast(LANES, (float) (Math.pow(Math.log(2), 6) / 720));
    private static final FloatVector C5 = FloatVector.broadcast(LANES, (float) (Math.pow(Math.log(2), 5) / 120));
    private static final FloatVector C4 = FloatVector.broadcast(LANES, (float) (Math.pow(Math.log(2), 4) / 24));
    private static final FloatVector C3 = FloatVector.broadcast(LANES, (float) (Math.pow(Math.log(2), 3) / 6));
    private static final FloatVector C2 = FloatVector.broadcast(LANES, (float) (Math.pow(Math.log(2), 2) / 2));
    private static final FloatVector C1 = FloatVector.broadcast(LANES, (float) Math.log(2));
    private static final FloatVector ONE = FloatVector.broadcast(LANES, 1f);

    private VectorFunctions() {
    }

    /**
     * 2^y, to 2e-7 relative for |y| ≤ 125 (clamped beyond): n = round(y) goes into the exponent bits and 2^f,
     * f = y − n, |f| ≤ ½, is its degree-6 Taylor polynomial.
     */
    public static FloatVector exp2(FloatVector y) {
        FloatVector clamped = y.max(-EXP2_LIMIT).min(EXP2_LIMIT);
        FloatVector shifted = clamped.add(ROUNDING_SHIFT);
        FloatVector f = clamped.sub(shifted.sub(ROUNDING_SHIFT));
        FloatVector p = f.fma(C6, C5).fma(f, C4).fma(f, C3).fma(f, C2).fma(f, C1).fma(f, ONE);
        return p.reinterpretAsInts().add(shifted.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23))
                .reinterpretAsFloats();
    }

    /** σ(x) = 1/(1 + e^−x). */
    public static FloatVector sigmoid(FloatVector x) {
        return ONE.div(exp2(x.mul(-LOG2_E)).add(1f));
    }

    /** softplus(x) = max(x, 0) + log1p(e^−|x|). */
    public static FloatVector softplus(FloatVector x) {
        return x.max(0f).add(exp2(x.abs().mul(-LOG2_E)).lanewise(VectorOperators.LOG1P));
    }
}
