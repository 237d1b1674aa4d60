package dvae.math.relax;

import dvae.math.autodiff.Var;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.MatrixOps;

/**
 * The two log-densities the power-function (DVAE#) baseline needs on the tape, each a column of per-row values.
 * Constants follow the authors' code: 1e-7 inside powers and logs, mean-field states clipped to [1e-7, 1 − 1e-7].
 */
public final class PowerFunctionOps {
    private static final double TINY = 1e-7;

    private PowerFunctionOps() {
    }

    /**
     * log q(ζ) = Σ_i log[(1 − q_i) r0(ζ_i) + q_i r0(1 − ζ_i)] of the mixture posterior, with q = σ(logits) held
     * fixed (the posterior's parameters are stop-gradiented, Roeder et al.): the gradient reaches ζ only.
     */
    public static Var mixtureLogDensity(Var zeta, Matrix logits, PowerFunction relaxation) {
        Matrix.requireSameShape(zeta.value(), logits);
        int cols = zeta.cols();
        double lambda = 1 / relaxation.beta();
        float[] z = zeta.value().data;
        float[] dLogQ = new float[z.length];
        Matrix out = new Matrix(zeta.rows(), 1);
        for (int r = 0; r < zeta.rows(); r++) {
            double sum = 0;
            for (int i = r * cols; i < (r + 1) * cols; i++) {
                double q = Relaxation.sigmoid(logits.data[i]);
                double d0 = relaxation.r0(z[i]);
                double d1 = relaxation.r0(1 - z[i]);
                double density = (1 - q) * d0 + q * d1;
                sum += Math.log(density);
                // r0'(ζ) = (λ − 1) r0(ζ)/(ζ + 1e-7); the second component's derivative carries the chain-rule sign.
                double slope = (1 - q) * (lambda - 1) * d0 / (z[i] + TINY) - q * (lambda - 1) * d1 / (1 - z[i] + TINY);
                dLogQ[i] = (float) (slope / density);
            }
            out.data[r] = (float) sum;
        }
        return zeta.tape().record(out, dy -> {
            float[] dz = zeta.grad().data;
            for (int i = 0; i < dz.length; i++) {
                dz[i] += dy.data[i / cols] * dLogQ[i];
            }
        }, zeta);
    }

    /**
     * The DVAE# relaxed prior, up to log Z: log p(ζ) + log Z = log Σ_z exp(−E(z)) Π_i r(ζ_i | z_i), approximated by
     * mean field. The smoothing turns into a bias shift a(ζ) = (λ − 1)[log(1 − ζ) − log ζ] plus a constant
     * Σ c(ζ) with c = log r0(ζ). From m = 1/2, {@code passes} alternating updates m2 = σ(m1 W + b2 + a2),
     * m1 = σ(m2 Wᵀ + b1 + a1) find m, which is then held fixed: the value is −E_aug(m, ζ) + H(m) and the gradient is
     * that of −E_aug(m, ζ) alone (with respect to ζ, b1, b2 and W), as in the authors' code.
     *
     * @param zeta1 rows × n1 relaxed side-1 units; zeta2 rows × n2
     * @param b1    1 × n1 prior bias; b2 1 × n2; w n1 × n2 prior couplings
     */
    public static Var meanFieldLogMarginal(Var zeta1, Var zeta2, Var b1, Var b2, Var w, PowerFunction relaxation,
                                           int passes) {
        int rows = zeta1.rows();
        int n1 = zeta1.cols();
        int n2 = zeta2.cols();
        double lambda = 1 / relaxation.beta();
        float[] z1 = zeta1.value().data;
        float[] z2 = zeta2.value().data;
        float[] a1 = biasShift(z1, lambda);
        float[] a2 = biasShift(z2, lambda);
        Matrix m1 = new Matrix(rows, n1);
        Matrix m2 = new Matrix(rows, n2);
        m1.fill(0.5f);
        for (int p = 0; p < passes; p++) {
            meanFieldUpdate(m1, w.value(), b2.value(), a2, m2, false);
            meanFieldUpdate(m2, w.value(), b1.value(), a1, m1, true);
        }
        clip(m1);
        clip(m2);
        Matrix m1W = new Matrix(rows, n2);
        MatrixOps.mult(m1, w.value(), m1W);
        Matrix out = new Matrix(rows, 1);
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = r * n1, j = 0; j < n1; i++, j++) {
                s += (b1.value().data[j] + a1[i]) * m1.data[i] + logR0(z1[i], lambda) + entropy(m1.data[i]);
            }
            for (int i = r * n2, j = 0; j < n2; i++, j++) {
                s += (b2.value().data[j] + a2[i] + m1W.data[i]) * m2.data[i] + logR0(z2[i], lambda)
                        + entropy(m2.data[i]);
            }
            out.data[r] = (float) s;
        }
        return zeta1.tape().record(out, dy -> {
            addZetaGrad(zeta1, m1, dy, lambda);
            addZetaGrad(zeta2, m2, dy, lambda);
            if (b1.needsGrad()) {
                addWeightedColumnSums(m1, dy, b1.grad());
            }
            if (b2.needsGrad()) {
                addWeightedColumnSums(m2, dy, b2.grad());
            }
            if (w.needsGrad()) { // ∂/∂W = Σ_rows dy·m1ᵀ m2
                Matrix scaled = new Matrix(rows, n1);
                for (int i = 0; i < scaled.data.length; i++) {
                    scaled.data[i] = m1.data[i] * dy.data[i / n1];
                }
                MatrixOps.multAddTransA(scaled, m2, w.grad());
            }
        }, zeta1, zeta2, b1, b2, w);
    }

    private static float[] biasShift(float[] zeta, double lambda) {
        float[] a = new float[zeta.length];
        for (int i = 0; i < zeta.length; i++) {
            a[i] = (float) ((lambda - 1) * (Math.log(1 - zeta[i] + TINY) - Math.log(zeta[i] + TINY)));
        }
        return a;
    }

    private static double logR0(double zeta, double lambda) {
        return Math.log(lambda) + (lambda - 1) * Math.log(zeta + TINY);
    }

    /** to = σ(from·W + b + a) (or from·Wᵀ when {@code transposed}), row by row. */
    private static void meanFieldUpdate(Matrix from, Matrix w, Matrix b, float[] a, Matrix to, boolean transposed) {
        if (transposed) {
            MatrixOps.multTransB(from, w, to);
        } else {
            MatrixOps.mult(from, w, to);
        }
        int cols = to.cols;
        for (int i = 0; i < to.data.length; i++) {
            to.data[i] = (float) Relaxation.sigmoid(to.data[i] + b.data[i % cols] + a[i]);
        }
    }

    private static void clip(Matrix m) {
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) Math.min(Math.max(m.data[i], TINY), 1 - TINY);
        }
    }

    private static double entropy(double m) {
        return -m * Math.log(m) - (1 - m) * Math.log(1 - m);
    }

    /** ∂/∂ζ of m·a(ζ) + c(ζ) = m(λ−1)[−1/(1−ζ+ε) − 1/(ζ+ε)] + (λ−1)/(ζ+ε). */
    private static void addZetaGrad(Var zeta, Matrix m, Matrix dy, double lambda) {
        if (!zeta.needsGrad()) {
            return;
        }
        int cols = zeta.cols();
        float[] z = zeta.value().data;
        float[] dz = zeta.grad().data;
        for (int i = 0; i < dz.length; i++) {
            double da = (lambda - 1) * (-1 / (1 - z[i] + TINY) - 1 / (z[i] + TINY));
            double dc = (lambda - 1) / (z[i] + TINY);
            dz[i] += (float) (dy.data[i / cols] * (m.data[i] * da + dc));
        }
    }

    private static void addWeightedColumnSums(Matrix m, Matrix dy, Matrix into) {
        int cols = m.cols;
        for (int i = 0; i < m.data.length; i++) {
            into.data[i % cols] += m.data[i] * dy.data[i / cols];
        }
    }
}
