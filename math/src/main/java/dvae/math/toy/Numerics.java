package dvae.math.toy;

import dvae.math.autodiff.ParamSet;
import dvae.math.optim.Adam;
import dvae.math.tensor.Matrix;

/**
 * Shared helpers of the toy experiments: double-precision scalars, conversions to and from the tape's float matrices,
 * and their optimizer.
 */
final class Numerics {
    private Numerics() {
    }

    /**
     * Adam as Kingma and Ba give it (ε = 1e-8), which the paper cites for the toys; the 1e-3 of the project's default
     * comes from the authors' VAE training code and would damp the toys' small late gradients.
     */
    static Adam adam(ParamSet params) {
        return new Adam(params, Adam.BETA1, Adam.BETA2, 1e-8);
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
