package dvae.math.toy;

import dvae.math.tensor.Matrix;

/** Double-precision helpers of the toy experiments, and conversions from and to the tape's float matrices. */
final class Numerics {
    private Numerics() {
    }

    static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    static Matrix toMatrix(double[] values) {
        Matrix m = new Matrix(1, values.length);
        for (int i = 0; i < values.length; i++) {
            m.data[i] = (float) values[i];
        }
        return m;
    }

    static double[] toDoubles(Matrix m) {
        double[] out = new double[m.data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = m.data[i];
        }
        return out;
    }
}
