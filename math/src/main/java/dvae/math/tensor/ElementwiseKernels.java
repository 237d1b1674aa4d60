package dvae.math.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise functions in vector lanes, for the activations the networks apply to every unit (evaluating a directed
 * posterior puts 4000 samples per example through 200-unit tanh layers: case directed-L1-100+100 of
 * {@code run/dvae bench eval}, 47 examples/s at HEAD bb5d358).
 *
 * <p>The tanh is this project's own, in double lanes from IEEE operations only, so it gives the same bits whether the
 * JIT has compiled its caller or not. The Vector API's TANH does not: its compiled form (an intrinsic stub) and its
 * interpreted one ({@code Math.tanh} per lane) differed in 30 of 4096 random inputs, so a run's results depended on
 * when the JIT compiled the layers, and two runs with the same seed drifted apart.
 */
public final class ElementwiseKernels {
    private static final VectorSpecies<Double> LANES = DoubleVector.SPECIES_PREFERRED;
    /** Floats converted to doubles at a time. */
    private static final int CHUNK = 1024;
    /** Beyond this |x|, tanh(x) is ±1 in float (1 − tanh 20 ≈ 8e-18). */
    private static final double SATURATION = 20;
    /** Below this |x|, tanh(x) = x − x³/3 to double precision, where (1 − e^−2x)/(1 + e^−2x) would cancel. */
    private static final double SMALL = 1e-4;
    private static final double LOG2_E = 1 / Math.log(2);
    /** Adding 1.5·2^52 rounds a double to an integer, which its low mantissa bits then hold. */
    private static final double ROUNDING_SHIFT = 0x1.8p52;
    /** (ln 2)^k / k!, k = 0..11: 2^f for |f| ≤ ½ to 1e-14 relative. */
    private static final double[] EXP2 = new double[12];

    static {
        double term = 1;
        for (int k = 0; k < EXP2.length; k++) {
            EXP2[k] = term;
            term *= Math.log(2) / (k + 1);
        }
    }

    private ElementwiseKernels() {
    }

    /** out[i] = tanh(in[i]) for i < n, within an ulp of the double tanh rounded to float. */
    public static void tanh(float[] in, float[] out, int n) {
        double[] x = new double[Math.min(n, CHUNK)];
        for (int from = 0; from < n; from += CHUNK) {
            int len = Math.min(CHUNK, n - from);
            for (int i = 0; i < len; i++) {
                x[i] = in[from + i];
            }
            int bound = LANES.loopBound(len);
            for (int i = 0; i < bound; i += LANES.length()) {
                tanh(DoubleVector.fromArray(LANES, x, i)).intoArray(x, i);
            }
            for (int i = bound; i < len; i++) {
                x[i] = tanh(x[i]);
            }
            for (int i = 0; i < len; i++) {
                out[from + i] = (float) x[i];
            }
        }
    }

    /** tanh in double lanes: (1 − e)/(1 + e) with e = e^−2|x| = 2^y by {@link #tanh(double)}'s steps, lane by lane. */
    static DoubleVector tanh(DoubleVector x) {
        DoubleVector a = x.abs().min(SATURATION);
        DoubleVector y = a.mul(-2 * LOG2_E);
        DoubleVector shifted = y.add(ROUNDING_SHIFT);
        DoubleVector f = y.sub(shifted.sub(ROUNDING_SHIFT));
        DoubleVector p = f.mul(EXP2[11]).add(EXP2[10]);
        for (int k = 9; k >= 0; k--) {
            p = p.mul(f).add(EXP2[k]);
        }
        DoubleVector e = p.reinterpretAsLongs().add(shifted.reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52))
                .reinterpretAsDoubles();
        DoubleVector t = e.neg().add(1).div(e.add(1));
        t = t.blend(a.sub(a.mul(a).mul(a).mul(1.0 / 3)), a.compare(VectorOperators.LT, SMALL));
        return t.blend(t.neg(), x.compare(VectorOperators.LT, 0));
    }

    /** The same steps for one value (the lanes' reference, and the tail of a row). */
    static double tanh(double x) {
        double a = Math.min(Math.abs(x), SATURATION);
        double y = a * (-2 * LOG2_E);
        double shifted = y + ROUNDING_SHIFT;
        double f = y - (shifted - ROUNDING_SHIFT);
        double p = f * EXP2[11] + EXP2[10];
        for (int k = 9; k >= 0; k--) {
            p = p * f + EXP2[k];
        }
        double e = Double.longBitsToDouble(Double.doubleToRawLongBits(p)
                + (Double.doubleToRawLongBits(shifted) << 52));
        double t = (-e + 1) / (e + 1);
        if (a < SMALL) {
            t = a - a * a * a * (1.0 / 3);
        }
        return x < 0 ? -t : t;
    }
}
