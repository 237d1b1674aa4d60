package dvae.math.eval;

import dvae.math.blas.Blas;
import dvae.math.model.Decoder;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.LikelihoodKernels;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.Scalars;

/** The per-sample terms of the importance weights, in double: RBM negative energies and decoder log-likelihoods. */
final class LatentTerms {
    /** Decoder rows per forward pass: bounds the memory of the 784-wide logits. */
    static final int DECODER_CHUNK = 500;

    private LatentTerms() {
    }

    /** −E(z) = b1·z1 + b2·z2 + z1ᵀWz2 for each row of z = [z1, z2] (rows × n1+n2, binary), products in double. */
    static double[] negEnergies(Rbm rbm, Matrix z) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        int rows = z.rows;
        double[] z1 = new double[rows * n1];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n1; i++) {
                z1[r * n1 + i] = z.data[r * z.cols + i];
            }
        }
        double[] w = new double[n1 * n2];
        for (int k = 0; k < w.length; k++) {
            w[k] = rbm.w()[k];
        }
        double[] coupling = new double[rows * n2];
        Blas.dgemm(false, false, rows, n2, n1, z1, w, coupling);
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double v = 0;
            for (int i = 0; i < n1; i++) {
                v += rbm.b1()[i] * z1[r * n1 + i];
            }
            for (int j = 0; j < n2; j++) {
                v += (rbm.b2()[j] + coupling[r * n2 + j]) * z.data[r * z.cols + n1 + j];
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
