package dvae.math.eval;

import dvae.math.blas.Blas;
import dvae.math.model.Decoder;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.LikelihoodKernels;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.Scalars;

/**
 * The per-sample terms of the importance weights, summed in double: RBM negative energies and decoder log-likelihoods.
 */
final class LatentTerms {
    /** Decoder rows per forward pass: bounds the memory of the 784-wide logits. */
    static final int DECODER_CHUNK = 500;

    private LatentTerms() {
    }

    /**
     * −E(z) = b1·z1 + b2·z2 + z1ᵀWz2 for each row of z = [z1, z2] (rows × n1+n2, binary). One float product
     * c = z1·[W | b1] + [b2 | 0] gives the couplings with b2 and, in its last column, b1·z1 (sums of at most n1 float
     * terms, as the decoder's logits are); then −E = c_{n2} + Σ_j c_j·z2_j in double. In double throughout the product
     * took twice as long (4,000 × 100 × 100: 1.4 ms against 0.7); the float sums stay within 1e-6 of the sum of the
     * terms' magnitudes (tested), far below the 4000-sample estimate's standard error.
     */
    static double[] negEnergies(Rbm rbm, Matrix z) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        int n = z.cols;
        int rows = z.rows;
        int width = n2 + 1;
        float[] weights = new float[n1 * width];
        for (int i = 0; i < n1; i++) {
            System.arraycopy(rbm.w(), i * n2, weights, i * width, n2);
            weights[i * width + n2] = rbm.b1()[i];
        }
        float[] c = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(rbm.b2(), 0, c, r * width, n2);
        }
        Blas.sgemm(false, false, rows, width, n1, 1f, z.data, 0, n, weights, 0, width, 1f, c, 0, width);
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            int cRow = r * width;
            int zRow = r * n + n1;
            double v = c[cRow + n2];
            for (int j = 0; j < n2; j++) {
                v += c[cRow + j] * (double) z.data[zRow + j];
            }
            out[r] = v;
        }
        return out;
    }

    /** log Bern(x; σ(logit)) = −softplus(∓logit), in double. */
    static double bernoulliLogMass(float logit, boolean one) {
        return -Scalars.softplus(one ? -logit : logit);
    }

    /**
     * log p(x|z) for every row of z, over the decoder's predicted pixels: Σ_p x_p·l_p − softplus(l_p).
     *
     * @param target the predicted pixels of one example (0/1)
     */
    static double[] logLikelihoods(Decoder.Folded decoder, Matrix z, float[] target) {
        double[] out = new double[z.rows];
        for (int from = 0; from < z.rows; from += DECODER_CHUNK) {
            int rows = Math.min(z.rows, from + DECODER_CHUNK) - from;
            float[] l = decoder.logitsWithoutBias(z, from, rows);
            LikelihoodKernels.addRowLogLikelihoods(l, decoder.outputBias(), rows, decoder.net().outputs(), target, 0,
                    out, from);
        }
        return out;
    }
}
