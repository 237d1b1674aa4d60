package dvae.math.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Bernoulli log-likelihoods of binary targets under rows of logits, vectorised: evaluation computes them for 4,000
 * samples × 784 pixels per test example (and for the directed posteriors' log q), where a scalar softplus per term
 * cost more than the decoder's matrix products.
 */
public final class LikelihoodKernels {
    private static final VectorSpecies<Float> LANES = VectorFunctions.LANES;

    private LikelihoodKernels() {
    }

    /**
     * Adds to out[outOff + r] the log-likelihood Σ_c log Bern(t[r, c]; σ(l[r, c])) = −Σ_c softplus((1 −
     * 2·t[r, c])·l[r, c]) of 0/1 targets, with l[r, c] = logits[r, c] + bias[c] (the float sum; a null bias adds
     * nothing): row r's targets start at r·targetStride (0: one target row for all). Each term is computed in float
     * (as the logits are) and each row's lanes are summed in float over at most cols / lanes terms before the lanes
     * are added in double: about 1e-4 nats on a 784-term row. The bias is added here, not in a pass of its own over
     * the logits, because evaluation reads 4,000 × 784 of them per test example.
     */
    public static void addRowLogLikelihoods(float[] logits, float[] bias, int rows, int cols, float[] targets,
                                            int targetStride, double[] out, int outOff) {
        float[] b = bias != null ? bias : new float[cols]; // adding 0 changes no logit
        int l = LANES.length();
        if (cols < l) {
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += Scalars.softplus((1 - 2.0 * targets[r * targetStride + c]) * (logits[r * cols + c] + b[c]));
                }
                out[outOff + r] -= sum;
            }
            return;
        }
        int bound = LANES.loopBound(cols);
        // A ragged row's last vector overlaps the one before; its lanes the loop already summed are weighted 0 (a
        // scalar softplus per leftover term cost more than the row's vectors: 4 of 100 on the directed levels).
        FloatVector tail = VectorFunctions.tailWeights(cols);
        float[] lanes = new float[l];
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            int t = r * targetStride;
            FloatVector acc = FloatVector.zero(LANES);
            for (int c = 0; c < bound; c += l) {
                acc = acc.add(term(logits, row, b, targets, t, c));
            }
            if (bound < cols) {
                acc = term(logits, row, b, targets, t, cols - l).fma(tail, acc);
            }
            double sum = sumInDouble(acc, lanes);
            out[outOff + r] -= sum;
        }
    }

    /**
     * out[r] = Σ_c x[r, c]·l[r, c] − softplus(l[r, c]) for rows [r0, r1) of row-major x and logits (cols each): the
     * Bernoulli log-likelihood of x ∈ [0, 1] (a relaxed sample, or data) under logits l, for training. Terms in float
     * lanes, each row's lanes summed in double, as {@link #addRowLogLikelihoods} does (about 1e-4 nats on a 784-term
     * row); rows shorter than a vector term by term in double.
     */
    public static void rowLogLikelihoods(float[] x, float[] logits, int cols, int r0, int r1, float[] out) {
        int l = LANES.length();
        if (cols < l) {
            for (int r = r0; r < r1; r++) {
                double sum = 0;
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    sum += x[i] * (double) logits[i] - Scalars.softplus(logits[i]);
                }
                out[r] = (float) sum;
            }
            return;
        }
        int bound = LANES.loopBound(cols);
        FloatVector tail = VectorFunctions.tailWeights(cols);
        float[] lanes = new float[l];
        for (int r = r0; r < r1; r++) {
            int row = r * cols;
            FloatVector acc = FloatVector.zero(LANES);
            for (int c = 0; c < bound; c += l) {
                acc = acc.add(logLikelihoodTerm(x, logits, row + c));
            }
            if (bound < cols) {
                acc = logLikelihoodTerm(x, logits, row + cols - l).fma(tail, acc);
            }
            double sum = sumInDouble(acc, lanes);
            out[r] = (float) sum;
        }
    }

    /** The lanes of acc added in double, in lane order (through {@code lanes}, scratch of one vector's length). */
    private static double sumInDouble(FloatVector acc, float[] lanes) {
        acc.intoArray(lanes, 0);
        double sum = 0;
        for (float lane : lanes) {
            sum += lane;
        }
        return sum;
    }

    /** x·l − softplus(l) on the lanes from index i. */
    private static FloatVector logLikelihoodTerm(float[] x, float[] logits, int i) {
        FloatVector lv = FloatVector.fromArray(LANES, logits, i);
        return FloatVector.fromArray(LANES, x, i).mul(lv).sub(VectorFunctions.softplus(lv));
    }

    /**
     * dLogits[r, c] += dy[r]·(x[r, c] − σ(l[r, c])) for rows [r0, r1): the gradient of {@link #rowLogLikelihoods} with
     * respect to the logits, in float lanes.
     */
    public static void addLogitGradients(float[] x, float[] logits, float[] dy, int cols, int r0, int r1,
                                         float[] dLogits) {
        int l = LANES.length();
        for (int r = r0; r < r1; r++) {
            float g = dy[r];
            int i = r * cols;
            int end = i + cols;
            for (int bound = i + LANES.loopBound(cols); i < bound; i += l) {
                FloatVector residual = FloatVector.fromArray(LANES, x, i)
                        .sub(VectorFunctions.sigmoid(FloatVector.fromArray(LANES, logits, i)));
                FloatVector.fromArray(LANES, dLogits, i).add(residual.mul(g)).intoArray(dLogits, i);
            }
            for (; i < end; i++) {
                dLogits[i] += g * (x[i] - (float) Scalars.sigmoid(logits[i]));
            }
        }
    }

    /** softplus((1 − 2t)·(l + b)) on the lanes from column c: 1 − 2t turns log Bern(t; σ(l)) into −softplus(±l). */
    private static FloatVector term(float[] logits, int row, float[] b, float[] targets, int t, int c) {
        FloatVector sign = FloatVector.fromArray(LANES, targets, t + c).mul(-2f).add(1f);
        return VectorFunctions.softplus(FloatVector.fromArray(LANES, logits, row + c)
                .add(FloatVector.fromArray(LANES, b, c)).mul(sign));
    }
}
