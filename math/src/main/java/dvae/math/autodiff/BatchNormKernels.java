package dvae.math.autodiff;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-row loops of {@link BatchNormOps} over its double column statistics, vectorised with the Vector API: float
 * values are widened to double lanes, so every lane does exactly the scalar arithmetic (no fused multiply-adds, the
 * same rounding) and the results are bit-identical to the scalar loops, which also handle each row's tail.
 */
final class BatchNormKernels {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats with as many lanes as D, half its width. */
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int L = D.length();

    private BatchNormKernels() {
    }

    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(F, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    /** sum[c] += v[off + c] for c in [0, cols). */
    static void addRow(float[] v, int off, double[] sum, int cols) {
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            DoubleVector.fromArray(D, sum, c).add(widen(v, off + c)).intoArray(sum, c);
        }
        for (; c < cols; c++) {
            sum[c] += v[off + c];
        }
    }

    /** sq[c] += (v[off + c] − mean[c])². */
    static void addSquaredDeviations(float[] v, int off, double[] mean, double[] sq, int cols) {
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            DoubleVector d = widen(v, off + c).sub(DoubleVector.fromArray(D, mean, c));
            DoubleVector.fromArray(D, sq, c).add(d.mul(d)).intoArray(sq, c);
        }
        for (; c < cols; c++) {
            double d = v[off + c] - mean[c];
            sq[c] += d * d;
        }
    }

    /** xHat = (float) ((v − mean)·invStd) and out = γ·xHat + β over one row. */
    static void normalizeRow(float[] v, int off, double[] mean, float[] invStd, float[] g, float[] b, float[] xHat,
                             float[] out, int cols) {
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            DoubleVector s = (DoubleVector) FloatVector.fromArray(F, invStd, c)
                    .convertShape(VectorOperators.F2D, D, 0);
            FloatVector h = (FloatVector) widen(v, off + c).sub(DoubleVector.fromArray(D, mean, c)).mul(s)
                    .convertShape(VectorOperators.D2F, F, 0);
            h.intoArray(xHat, off + c);
            FloatVector.fromArray(F, g, c).mul(h).add(FloatVector.fromArray(F, b, c)).intoArray(out, off + c);
        }
        for (int i = off + c; c < cols; c++, i++) {
            float h = (float) ((v[i] - mean[c]) * invStd[c]);
            xHat[i] = h;
            out[i] = g[c] * h + b[c];
        }
    }

    /** sumDy[c] += dy and sumDyXHat[c] += dy·(double) xHat over one row. */
    static void addGradientSums(float[] dy, float[] xHat, int off, double[] sumDy, double[] sumDyXHat, int cols) {
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            DoubleVector d = widen(dy, off + c);
            DoubleVector.fromArray(D, sumDy, c).add(d).intoArray(sumDy, c);
            DoubleVector.fromArray(D, sumDyXHat, c).add(d.mul(widen(xHat, off + c))).intoArray(sumDyXHat, c);
        }
        for (int i = off + c; c < cols; c++, i++) {
            float di = dy[i];
            sumDy[c] += di;
            sumDyXHat[c] += di * (double) xHat[i];
        }
    }

    /** dx += (float) (coef·((float) (n·dy) − sumDy − xHat·sumDyXHat)) over one row. */
    static void addInputGradient(float[] dy, float[] xHat, int off, float n, float[] coef, double[] sumDy,
                                 double[] sumDyXHat, float[] dx, int cols) {
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            DoubleVector ndy = (DoubleVector) FloatVector.fromArray(F, dy, off + c).mul(n)
                    .convertShape(VectorOperators.F2D, D, 0);
            DoubleVector bracket = ndy.sub(DoubleVector.fromArray(D, sumDy, c))
                    .sub(widen(xHat, off + c).mul(DoubleVector.fromArray(D, sumDyXHat, c)));
            FloatVector add = (FloatVector) widen(coef, c).mul(bracket).convertShape(VectorOperators.D2F, F, 0);
            FloatVector.fromArray(F, dx, off + c).add(add).intoArray(dx, off + c);
        }
        for (int i = off + c; c < cols; c++, i++) {
            dx[i] += (float) (coef[c] * (n * dy[i] - sumDy[c] - xHat[i] * sumDyXHat[c]));
        }
    }
}
