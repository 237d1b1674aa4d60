package dvae.math.rbm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise halves of RBM sampling and annealing, vectorised with the Vector API (16 float lanes with
 * AVX-512). Scalar {@code Math.exp} plus a random draw per unit costs several times a whole Gibbs step's matrix
 * products; these kernels keep it to a small fraction. Every kernel works on row-major {@code rows × cols} blocks at
 * an offset and adds a per-column bias, so one call covers a batch of chains.
 */
final class VectorMath {
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    /** Beyond this |exponent| float exp over- or underflows; clamping changes no sampled bit. */
    private static final float EXP_LIMIT = 80f;
    /** Below this |d| the annealing increment uses the cancellation-free log1p form. */
    private static final float SMALL_STEP = 1f;

    private VectorMath() {
    }

    /**
     * out[r, c] = 1 if u[r, c] < σ(actScale·act[r, c] + biasScale·bias[c]) else 0. The comparison is done as
     * u·(1 + e^{−x}) < 1, which needs one exp and no division.
     */
    static void sampleBernoulli(float[] act, int actOff, float actScale, float[] bias, int biasOff, float biasScale,
                                int rows, int cols, float[] uniforms, float[] out, int outOff) {
        int bound = LANES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            int c = 0;
            for (; c < bound; c += LANES.length()) {
                FloatVector x = FloatVector.fromArray(LANES, act, actOff + row + c).mul(actScale)
                        .add(FloatVector.fromArray(LANES, bias, biasOff + c).mul(biasScale));
                FloatVector e = x.neg().min(EXP_LIMIT).lanewise(VectorOperators.EXP);
                FloatVector u = FloatVector.fromArray(LANES, uniforms, row + c);
                VectorMask<Float> on = u.fma(e, u).compare(VectorOperators.LT, 1f);
                FloatVector.zero(LANES).blend(1f, on).intoArray(out, outOff + row + c);
            }
            for (; c < cols; c++) {
                float x = actScale * act[actOff + row + c] + biasScale * bias[biasOff + c];
                float u = uniforms[row + c];
                out[outOff + row + c] = u * (1f + (float) Math.exp(Math.min(-x, EXP_LIMIT))) < 1f ? 1f : 0f;
            }
        }
    }

    /** out[r, c] = σ(act[r, c] + bias[c]): conditional means, for Rao-Blackwellised statistics. */
    static void sigmoid(float[] act, float[] bias, int rows, int cols, float[] out) {
        int bound = LANES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            int c = 0;
            for (; c < bound; c += LANES.length()) {
                FloatVector x = FloatVector.fromArray(LANES, act, row + c).add(FloatVector.fromArray(LANES, bias, c));
                FloatVector e = x.neg().min(EXP_LIMIT).lanewise(VectorOperators.EXP);
                FloatVector.broadcast(LANES, 1f).div(e.add(1f)).intoArray(out, row + c);
            }
            for (; c < cols; c++) {
                out[row + c] = (float) (1 / (1 + Math.exp(Math.min(-(act[row + c] + bias[c]), EXP_LIMIT))));
            }
        }
    }

    /** rowSums[r] = Σ_c softplus(act[r, c] + bias[c]), each row's lanes summed in float and the row total in double. */
    static void rowSoftplusSums(float[] act, float[] bias, int rows, int cols, double[] rowSums) {
        int bound = LANES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            FloatVector acc = FloatVector.zero(LANES);
            int c = 0;
            for (; c < bound; c += LANES.length()) {
                FloatVector x = FloatVector.fromArray(LANES, act, row + c).add(FloatVector.fromArray(LANES, bias, c));
                acc = acc.add(softplus(x));
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                sum += softplus((double) act[row + c] + bias[c]);
            }
            rowSums[r] = sum;
        }
    }

    /**
     * One annealing step of the side-2 factor of an RBM's side-1 marginal. With coupling input c = z1·W, the
     * pre-activation moves from x = sw·c + sb·b to x + d, d = dsw·c + dsb·b; this adds Σ_c [softplus(x + d) −
     * softplus(x)] to rowSums[r] and overwrites c with x + d, the pre-activation the next sample of side 2 needs.
     * The increment is computed as log1p(σ(x)·expm1(d)), exact to float rounding of the (small) increment itself
     * rather than of the softplus values; steps with |d| ≥ 1 fall back to the plain difference.
     */
    static void annealSoftplusStep(float[] c, float[] bias, float sw, float sb, float dsw, float dsb,
                                   int rows, int cols, double[] rowSums) {
        int bound = LANES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            FloatVector acc = FloatVector.zero(LANES);
            int k = 0;
            for (; k < bound; k += LANES.length()) {
                FloatVector coupling = FloatVector.fromArray(LANES, c, row + k);
                FloatVector b = FloatVector.fromArray(LANES, bias, k);
                FloatVector x = coupling.mul(sw).add(b.mul(sb));
                FloatVector d = coupling.mul(dsw).add(b.mul(dsb));
                FloatVector sigma = FloatVector.broadcast(LANES, 1f)
                        .div(x.neg().min(EXP_LIMIT).lanewise(VectorOperators.EXP).add(1f));
                FloatVector inc = sigma.mul(d.lanewise(VectorOperators.EXPM1)).lanewise(VectorOperators.LOG1P);
                VectorMask<Float> large = d.abs().compare(VectorOperators.GE, SMALL_STEP);
                if (large.anyTrue()) {
                    inc = inc.blend(softplus(x.add(d)).sub(softplus(x)), large);
                }
                acc = acc.add(inc);
                x.add(d).intoArray(c, row + k);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; k < cols; k++) {
                double x = (double) sw * c[row + k] + (double) sb * bias[k];
                double d = (double) dsw * c[row + k] + (double) dsb * bias[k];
                sum += Math.abs(d) < SMALL_STEP ? Math.log1p(Math.expm1(d) / (1 + Math.exp(-x)))
                        : softplus(x + d) - softplus(x);
                c[row + k] = (float) (x + d);
            }
            rowSums[r] += sum;
        }
    }

    /** out[r] = Σ_c a[aOff + r·cols + c]·v[c] in double, for the bias terms of energies. */
    static void rowDots(float[] a, int aOff, float[] v, int rows, int cols, double[] out) {
        int bound = LANES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = aOff + r * cols;
            FloatVector acc = FloatVector.zero(LANES);
            int c = 0;
            for (; c < bound; c += LANES.length()) {
                acc = FloatVector.fromArray(LANES, a, row + c).fma(FloatVector.fromArray(LANES, v, c), acc);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                sum += (double) a[row + c] * v[c];
            }
            out[r] = sum;
        }
    }

    private static FloatVector softplus(FloatVector x) {
        return x.max(0f).add(x.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P));
    }

    /** log(1 + e^x) without overflow. */
    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
}
