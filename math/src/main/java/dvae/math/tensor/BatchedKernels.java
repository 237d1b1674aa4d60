package dvae.math.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Small matrix-vector products in Java with the Vector API, for {@link MatrixOps}' batched forms and the per-example
 * Gibbs sweeps of amortized posteriors. Each product is
 * small (n1·n2 multiply-adds, 10,000 at 100+100), so one BLAS call per example costs more in JNI and thread hand-off
 * than in arithmetic; here a whole batch runs in one loop on the calling thread. Deterministic: the summation order
 * depends on the shapes alone.
 */
public final class BatchedKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private BatchedKernels() {
    }

    /**
     * out[oOff, +n2) = beta·out + v[vOff, +n1)·W where W is the n1×n2 row-major matrix at w[wOff]; beta is 0 or 1
     * (with 0 the old contents are ignored, NaN included).
     */
    public static void vecTimesW(float[] w, int wOff, int n1, int n2, float[] v, int vOff, float beta, float[] out,
                          int oOff) {
        if (beta == 0f) {
            // Zero first, then always accumulate from out: a vector chosen by a branch (zero or loaded) is a phi that
            // JDK 17's C2 keeps boxed, which made the loop allocate once both branches had been profiled.
            java.util.Arrays.fill(out, oOff, oOff + n2, 0f);
        }
        if (n2 < L) {
            for (int j = 0; j < n2; j++) {
                float a = out[oOff + j];
                for (int i = 0, idx = wOff + j; i < n1; i++, idx += n2) {
                    a = Math.fma(w[idx], v[vOff + i], a);
                }
                out[oOff + j] = a;
            }
            return;
        }
        // Up to eight vectors of columns at a time, each a chain of n1 fused multiply-adds; a ragged row's last
        // vector overlaps the one before in the same block, which loads both before it stores either.
        int vectors = (n2 + L - 1) / L;
        for (int j = 0; j < vectors; ) {
            int count = VectorFunctions.blockLength(j, vectors, n2, 8);
            int last = j + count - 1;
            vecTimesWBlock(w, wOff, n1, n2, v, vOff, out, oOff, VectorFunctions.vectorStart(j, n2),
                    VectorFunctions.vectorStart(Math.min(j + 1, last), n2),
                    VectorFunctions.vectorStart(Math.min(j + 2, last), n2),
                    VectorFunctions.vectorStart(Math.min(j + 3, last), n2),
                    VectorFunctions.vectorStart(Math.min(j + 4, last), n2),
                    VectorFunctions.vectorStart(Math.min(j + 5, last), n2),
                    VectorFunctions.vectorStart(Math.min(j + 6, last), n2),
                    VectorFunctions.vectorStart(Math.min(j + 7, last), n2));
            j += count;
        }
    }

    private static void vecTimesWBlock(float[] w, int wOff, int n1, int n2, float[] v, int vOff, float[] out,
                                       int oOff, int p0, int p1, int p2, int p3, int p4, int p5, int p6, int p7) {
        FloatVector a0 = FloatVector.fromArray(S, out, oOff + p0);
        FloatVector a1 = FloatVector.fromArray(S, out, oOff + p1);
        FloatVector a2 = FloatVector.fromArray(S, out, oOff + p2);
        FloatVector a3 = FloatVector.fromArray(S, out, oOff + p3);
        FloatVector a4 = FloatVector.fromArray(S, out, oOff + p4);
        FloatVector a5 = FloatVector.fromArray(S, out, oOff + p5);
        FloatVector a6 = FloatVector.fromArray(S, out, oOff + p6);
        FloatVector a7 = FloatVector.fromArray(S, out, oOff + p7);
        for (int i = 0, row = wOff; i < n1; i++, row += n2) {
            FloatVector vi = FloatVector.broadcast(S, v[vOff + i]);
            a0 = FloatVector.fromArray(S, w, row + p0).fma(vi, a0);
            a1 = FloatVector.fromArray(S, w, row + p1).fma(vi, a1);
            a2 = FloatVector.fromArray(S, w, row + p2).fma(vi, a2);
            a3 = FloatVector.fromArray(S, w, row + p3).fma(vi, a3);
            a4 = FloatVector.fromArray(S, w, row + p4).fma(vi, a4);
            a5 = FloatVector.fromArray(S, w, row + p5).fma(vi, a5);
            a6 = FloatVector.fromArray(S, w, row + p6).fma(vi, a6);
            a7 = FloatVector.fromArray(S, w, row + p7).fma(vi, a7);
        }
        // Where positions coincide (a short block's repeated last one) the same values land.
        a7.intoArray(out, oOff + p7);
        a6.intoArray(out, oOff + p6);
        a5.intoArray(out, oOff + p5);
        a4.intoArray(out, oOff + p4);
        a3.intoArray(out, oOff + p3);
        a2.intoArray(out, oOff + p2);
        a1.intoArray(out, oOff + p1);
        a0.intoArray(out, oOff + p0);
    }

    /** out[oOff, +n1) = beta·out + W·y[yOff, +n2): one dot product per row of the n1×n2 row-major W at w[wOff]. */
    public static void wTimesVec(float[] w, int wOff, int n1, int n2, float[] y, int yOff, float beta, float[] out,
                          int oOff) {
        int i = 0;
        for (; i + 4 <= n1; i += 4) {
            int r0 = wOff + i * n2;
            int r1 = r0 + n2;
            int r2 = r1 + n2;
            int r3 = r2 + n2;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            int j = 0;
            for (; j + L <= n2; j += L) {
                FloatVector yj = FloatVector.fromArray(S, y, yOff + j);
                a0 = FloatVector.fromArray(S, w, r0 + j).fma(yj, a0);
                a1 = FloatVector.fromArray(S, w, r1 + j).fma(yj, a1);
                a2 = FloatVector.fromArray(S, w, r2 + j).fma(yj, a2);
                a3 = FloatVector.fromArray(S, w, r3 + j).fma(yj, a3);
            }
            float s0 = VectorFunctions.sumLanes(a0);
            float s1 = VectorFunctions.sumLanes(a1);
            float s2 = VectorFunctions.sumLanes(a2);
            float s3 = VectorFunctions.sumLanes(a3);
            for (; j < n2; j++) {
                float yj = y[yOff + j];
                s0 = Math.fma(w[r0 + j], yj, s0);
                s1 = Math.fma(w[r1 + j], yj, s1);
                s2 = Math.fma(w[r2 + j], yj, s2);
                s3 = Math.fma(w[r3 + j], yj, s3);
            }
            finish(out, oOff + i, beta, s0);
            finish(out, oOff + i + 1, beta, s1);
            finish(out, oOff + i + 2, beta, s2);
            finish(out, oOff + i + 3, beta, s3);
        }
        for (; i < n1; i++) {
            int r = wOff + i * n2;
            FloatVector a = FloatVector.zero(S);
            int j = 0;
            for (; j + L <= n2; j += L) {
                a = FloatVector.fromArray(S, w, r + j).fma(FloatVector.fromArray(S, y, yOff + j), a);
            }
            float s = VectorFunctions.sumLanes(a);
            for (; j < n2; j++) {
                s = Math.fma(w[r + j], y[yOff + j], s);
            }
            finish(out, oOff + i, beta, s);
        }
    }

    private static void finish(float[] out, int off, float beta, float s) {
        out[off] = beta == 0f ? s : out[off] + s;
    }
}
