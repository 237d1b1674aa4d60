package dvae.math.autodiff;

import dvae.math.tensor.Matrix;
import dvae.math.tensor.VectorFunctions;
import dvae.math.util.Parallel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation per column (feature) over the rows (examples): y = γ·(x − μ)/√(σ² + ε) + β, with γ and β 1×cols.
 * Statistics are computed in double. The variance is the biased batch variance (divide by the batch size), as TF1's
 * {@code tf.nn.moments}, both for normalising and for the moving average.
 */
public final class BatchNormOps {
    /** Columns per parallel part at least (narrow layers run in one pass). */
    private static final int PARALLEL_MIN_COLUMNS = 1024;
    /**
     * Blocks of columns run in vector lanes, in double where the scalar code is in double: a float vector's lanes
     * as two double vectors of the same width (its low and high halves), so each column sees the same operations
     * in the same order as one column on its own (the scalar loops, which also take a block's leftover columns).
     */
    private static final VectorSpecies<Float> F = VectorFunctions.LANES;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int BLOCK = F.length();
    private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(F, -1L << D.length());

    private BatchNormOps() {
    }

    /**
     * Training mode: normalise with this batch's mean and variance (the gradient flows through them too), and move the
     * averages: moving = momentum·moving + (1 − momentum)·batch statistic.
     */
    public static Var batchNormTraining(Var x, Var gamma, Var beta, Matrix movingMean, Matrix movingVar,
                                        float eps, float momentum) {
        return batchNormTraining(x, 0, x.cols(), gamma, beta, movingMean, movingVar, eps, momentum, 1f);
    }

    /**
     * scale · BN(x[:, fromCol … toCol)) in training mode, as {@code scale(batchNormTraining(sliceColumns(x, fromCol,
     * toCol), …), scale)} computes it, bit for bit, in one operation: the window is read in place and its gradient
     * added in place, and neither the slice nor the normalised values get a matrix or a pass of their own (the RBM
     * posterior's coupling head is 100 × 10,000 floats per step).
     */
    public static Var batchNormTraining(Var x, int fromCol, int toCol, Var gamma, Var beta, Matrix movingMean,
                                        Matrix movingVar, float eps, float momentum, float scale) {
        Window in = Window.of(x, fromCol, toCol);
        checkShapes(in.cols, gamma, beta, movingMean, movingVar);
        int n = x.rows();
        int cols = in.cols;
        float[] v = x.value().data;
        double[] mean = new double[cols];
        double[] var = new double[cols];
        float[] invStd = new float[cols];
        Matrix xHat = new Matrix(n, cols);
        Matrix out = new Matrix(n, cols);
        float[] g = gamma.value().data;
        float[] b = beta.value().data;
        float[] xh = xHat.data;
        float[] o = out.data;
        // Columns are independent: wide inputs (the RBM posterior's coupling head) run as column ranges in parallel,
        // each with the arithmetic of one pass.
        float[] movingM = movingMean.data;
        float[] movingV = movingVar.data;
        Parallel.forRanges(cols, PARALLEL_MIN_COLUMNS, (part, c0, c1) -> normalizeColumns(v, in, n, c0, c1, eps,
                momentum, g, b, scale, mean, var, invStd, movingM, movingV, xh, o));
        return x.tape().record(out, dy -> {
            double[] sumDy = new double[cols];
            double[] sumDyXHat = new double[cols];
            float[] dx = x.needsGrad() ? x.grad().data : null;
            float[] d = dy.data;
            Parallel.forRanges(cols, PARALLEL_MIN_COLUMNS, (part, c0, c1) -> {
                columnSums(d, scale, xh, n, cols, c0, c1, sumDy, sumDyXHat);
                if (dx != null) {
                    addInputGradient(d, scale, xh, g, invStd, sumDy, sumDyXHat, n, cols, c0, c1, dx, in);
                }
            });
            addAffineGrads(gamma, beta, sumDy, sumDyXHat);
        }, x, gamma, beta);
    }

    /** Columns [from, from + cols) of a row-major matrix with {@code stride} columns: where a window lies. */
    private record Window(int from, int cols, int stride) {
        static Window of(Var x, int fromCol, int toCol) {
            if (fromCol < 0 || toCol > x.cols() || fromCol > toCol) {
                throw new IllegalArgumentException("columns [" + fromCol + ", " + toCol + ") of "
                        + x.value().shape());
            }
            return new Window(fromCol, toCol - fromCol, x.cols());
        }

        /** Where window column c of row r lies in the matrix. */
        int at(int r, int c) {
            return r * stride + from + c;
        }
    }

    /**
     * Columns [c0, c1) of dx += γ/(N·σ) · (N·dy − Σdy − x̂·Σ(dy·x̂)): the two sums are the paths through μ and σ². The
     * float factor γ/(N·σ) per column is hoisted out of the loop; the arithmetic is unchanged. A static method for the
     * reason {@link #normalizeColumns} gives.
     */
    private static void addInputGradient(float[] d, float scale, float[] xh, float[] g, float[] invStd,
                                         double[] sumDy, double[] sumDyXHat, int n, int cols, int c0, int c1,
                                         float[] dx, Window in) {
        float[] coef = new float[c1 - c0];
        for (int c = c0; c < c1; c++) {
            coef[c - c0] = g[c] * invStd[c] / n;
        }
        float fn = n;
        int vectorEnd = c0 + (c1 - c0) / BLOCK * BLOCK;
        int half = D.length();
        for (int r = 0; r < n; r++) { // row by row, as the rows lie in memory
            int row = r * cols;
            int inRow = in.at(r, 0);
            for (int c = c0; c < vectorEnd; c += BLOCK) {
                int i = row + c;
                FloatVector k = FloatVector.fromArray(F, coef, c - c0);
                FloatVector fd = FloatVector.fromArray(F, d, i).mul(scale).mul(fn);
                FloatVector h = FloatVector.fromArray(F, xh, i);
                DoubleVector lo = low(k).mul(low(fd).sub(DoubleVector.fromArray(D, sumDy, c))
                        .sub(low(h).mul(DoubleVector.fromArray(D, sumDyXHat, c))));
                DoubleVector hi = high(k).mul(high(fd).sub(DoubleVector.fromArray(D, sumDy, c + half))
                        .sub(high(h).mul(DoubleVector.fromArray(D, sumDyXHat, c + half))));
                FloatVector.fromArray(F, dx, inRow + c).add(toFloats(lo, hi)).intoArray(dx, inRow + c);
            }
            for (int c = vectorEnd, i = row + vectorEnd; c < c1; c++, i++) {
                dx[inRow + c] += (float) (coef[c - c0] * (fn * (scale * d[i]) - sumDy[c] - xh[i] * sumDyXHat[c]));
            }
        }
    }

    /** The low half of v's lanes, in double. */
    private static DoubleVector low(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
    }

    /** The high half of v's lanes, in double. */
    private static DoubleVector high(FloatVector v) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
    }

    /** The float vector whose low half is lo and high half hi, each rounded to float. */
    private static FloatVector toFloats(DoubleVector lo, DoubleVector hi) {
        FloatVector l = (FloatVector) lo.convertShape(VectorOperators.D2F, F, 0);
        FloatVector h = (FloatVector) hi.convertShape(VectorOperators.D2F, F, -1);
        return l.blend(h, HIGH_HALF);
    }

    /**
     * Columns [c0, c1) of the training-mode forward pass: batch mean and variance in double, the moving averages,
     * x̂ and γ·x̂ + β. A static method with its arrays as arguments: as a lambda over captured arrays the same loops
     * ran about twice as long (100 × 10,200, one thread: 4.5-4.6 ms against 2.3-2.4 ms for the forward pass).
     */
    private static void normalizeColumns(float[] v, Window in, int n, int c0, int c1, float eps, float momentum,
                                         float[] g, float[] b, float scale, double[] mean, double[] var,
                                         float[] invStd, float[] movingMean, float[] movingVar, float[] xh,
                                         float[] o) {
        int cols = in.cols();
        // Row by row, as the rows lie in memory; the column statistics stay in cache meanwhile.
        int vectorEnd = c0 + (c1 - c0) / BLOCK * BLOCK;
        int half = D.length();
        for (int r = 0; r < n; r++) {
            int row = in.at(r, 0);
            for (int c = c0; c < vectorEnd; c += BLOCK) {
                FloatVector x = FloatVector.fromArray(F, v, row + c);
                DoubleVector.fromArray(D, mean, c).add(low(x)).intoArray(mean, c);
                DoubleVector.fromArray(D, mean, c + half).add(high(x)).intoArray(mean, c + half);
            }
            for (int c = vectorEnd, i = row + vectorEnd; c < c1; c++, i++) {
                mean[c] += v[i];
            }
        }
        for (int c = c0; c < c1; c++) {
            mean[c] /= n;
        }
        for (int r = 0; r < n; r++) { // two passes: no cancellation in E[x²] − μ²
            int row = in.at(r, 0);
            for (int c = c0; c < vectorEnd; c += BLOCK) {
                FloatVector x = FloatVector.fromArray(F, v, row + c);
                DoubleVector dLo = low(x).sub(DoubleVector.fromArray(D, mean, c));
                DoubleVector dHi = high(x).sub(DoubleVector.fromArray(D, mean, c + half));
                DoubleVector.fromArray(D, var, c).add(dLo.mul(dLo)).intoArray(var, c);
                DoubleVector.fromArray(D, var, c + half).add(dHi.mul(dHi)).intoArray(var, c + half);
            }
            for (int c = vectorEnd, i = row + vectorEnd; c < c1; c++, i++) {
                double d = v[i] - mean[c];
                var[c] += d * d;
            }
        }
        for (int c = c0; c < c1; c++) {
            var[c] /= n;
            invStd[c] = (float) (1 / Math.sqrt(var[c] + eps));
            movingMean[c] = (float) (momentum * movingMean[c] + (1 - momentum) * mean[c]);
            movingVar[c] = (float) (momentum * movingVar[c] + (1 - momentum) * var[c]);
        }
        // x̂ = (x − μ)·(1/σ) and γ·x̂ + β in one pass, in float lanes with μ rounded to float (in double lanes, with
        // the conversions back to float, this pass was slower than scalar code). x − μ is exact when x lies within a
        // factor 2 of μ; μ's rounding moves x̂ by at most half a float ulp of μ over σ.
        float[] meanF = new float[c1 - c0];
        for (int c = c0; c < c1; c++) {
            meanF[c - c0] = (float) mean[c];
        }
        for (int r = 0; r < n; r++) {
            int inRow = in.at(r, 0);
            int row = r * cols;
            for (int c = c0; c < vectorEnd; c += BLOCK) {
                FloatVector h = FloatVector.fromArray(F, v, inRow + c).sub(FloatVector.fromArray(F, meanF, c - c0))
                        .mul(FloatVector.fromArray(F, invStd, c));
                h.intoArray(xh, row + c);
                h.mul(FloatVector.fromArray(F, g, c)).add(FloatVector.fromArray(F, b, c)).mul(scale)
                        .intoArray(o, row + c);
            }
            for (int c = vectorEnd, i = row + vectorEnd; c < c1; c++, i++) {
                float h = (v[inRow + c] - meanF[c - c0]) * invStd[c];
                xh[i] = h;
                o[i] = (g[c] * h + b[c]) * scale;
            }
        }
    }

    /** Evaluation mode: normalise with the moving averages, which stay as they are; a fixed affine map of x. */
    public static Var batchNormInference(Var x, Var gamma, Var beta, Matrix movingMean, Matrix movingVar, float eps) {
        return batchNormInference(x, 0, x.cols(), gamma, beta, movingMean, movingVar, eps, 1f);
    }

    /** scale · BN(x[:, fromCol … toCol)) in evaluation mode, in one operation (see the training form). */
    public static Var batchNormInference(Var x, int fromCol, int toCol, Var gamma, Var beta, Matrix movingMean,
                                         Matrix movingVar, float eps, float scale) {
        Window in = Window.of(x, fromCol, toCol);
        checkShapes(in.cols, gamma, beta, movingMean, movingVar);
        int rows = x.rows();
        int cols = in.cols;
        float[] v = x.value().data;
        float[] invStd = new float[cols];
        for (int c = 0; c < cols; c++) {
            invStd[c] = (float) (1 / Math.sqrt(movingVar.data[c] + (double) eps));
        }
        // x̂ and γ·x̂ + β in one pass; x̂ is kept only for a backward pass (none on an inference tape).
        boolean keepXHat = x.needsGrad() || gamma.needsGrad() || beta.needsGrad();
        Matrix xHat = keepXHat ? new Matrix(rows, cols) : null;
        Matrix out = new Matrix(rows, cols);
        float[] g = gamma.value().data;
        float[] b = beta.value().data;
        float[] mean = movingMean.data;
        for (int r = 0; r < rows; r++) {
            for (int c = 0, i = r * cols; c < cols; c++, i++) {
                float h = (v[in.at(r, c)] - mean[c]) * invStd[c];
                if (keepXHat) {
                    xHat.data[i] = h;
                }
                out.data[i] = (g[c] * h + b[c]) * scale;
            }
        }
        return x.tape().record(out, dy -> {
            double[] sumDy = new double[cols];
            double[] sumDyXHat = new double[cols];
            columnSums(dy.data, scale, xHat.data, rows, cols, 0, cols, sumDy, sumDyXHat);
            addAffineGrads(gamma, beta, sumDy, sumDyXHat);
            if (x.needsGrad()) {
                float[] dx = x.grad().data;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0, i = r * cols; c < cols; c++, i++) {
                        dx[in.at(r, c)] += (scale * dy.data[i]) * g[c] * invStd[c];
                    }
                }
            }
        }, x, gamma, beta);
    }

    private static void checkShapes(int cols, Var gamma, Var beta, Matrix movingMean, Matrix movingVar) {
        for (Matrix m : new Matrix[] {gamma.value(), beta.value(), movingMean, movingVar}) {
            if (m.rows != 1 || m.cols != cols) {
                throw new IllegalArgumentException("batch norm of " + cols + " columns needs 1x" + cols
                        + " γ, β and moving statistics, got " + m.shape());
            }
        }
    }

    /** Per column in [c0, c1): Σ dy and Σ dy·x̂, in double. */
    private static void columnSums(float[] d, float scale, float[] h, int rows, int cols, int c0, int c1,
                                   double[] sumDy, double[] sumDyXHat) {
        int vectorEnd = c0 + (c1 - c0) / BLOCK * BLOCK;
        int half = D.length();
        for (int r = 0; r < rows; r++) { // row by row, as the rows lie in memory
            int row = r * cols;
            for (int c = c0; c < vectorEnd; c += BLOCK) {
                FloatVector dyLanes = FloatVector.fromArray(F, d, row + c).mul(scale);
                FloatVector xHatLanes = FloatVector.fromArray(F, h, row + c);
                DoubleVector dLo = low(dyLanes);
                DoubleVector dHi = high(dyLanes);
                DoubleVector.fromArray(D, sumDy, c).add(dLo).intoArray(sumDy, c);
                DoubleVector.fromArray(D, sumDy, c + half).add(dHi).intoArray(sumDy, c + half);
                DoubleVector.fromArray(D, sumDyXHat, c).add(dLo.mul(low(xHatLanes))).intoArray(sumDyXHat, c);
                DoubleVector.fromArray(D, sumDyXHat, c + half).add(dHi.mul(high(xHatLanes)))
                        .intoArray(sumDyXHat, c + half);
            }
            for (int c = vectorEnd, i = row + vectorEnd; c < c1; c++, i++) {
                float di = scale * d[i];
                sumDy[c] += di;
                sumDyXHat[c] += di * (double) h[i];
            }
        }
    }

    /** dβ += Σ dy and dγ += Σ dy·x̂. */
    private static void addAffineGrads(Var gamma, Var beta, double[] sumDy, double[] sumDyXHat) {
        if (gamma.needsGrad()) {
            float[] dg = gamma.grad().data;
            for (int c = 0; c < dg.length; c++) {
                dg[c] += (float) sumDyXHat[c];
            }
        }
        if (beta.needsGrad()) {
            float[] db = beta.grad().data;
            for (int c = 0; c < db.length; c++) {
                db[c] += (float) sumDy[c];
            }
        }
    }
}
