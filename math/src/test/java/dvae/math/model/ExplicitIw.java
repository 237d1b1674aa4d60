package dvae.math.model;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;

/** The IW gradient written out naively for tests: loss = −Σ_i sg(w̃_i^power) log w_i / B, one weighting at a time. */
final class ExplicitIw {
    private ExplicitIw() {
    }

    static void backward(DvaeModel m, Matrix x, double lambda, int power, RandomStream rng) {
        ModelConfig c = m.config();
        int k = c.samples();
        Tape tape = new Tape();
        int[] rows = new int[x.rows * k];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = r / k;
        }
        Posterior.RelaxedSample s = m.posterior().relaxedSample(tape.constant(m.encoderInput(x)), rows, k,
                Mode.TRAIN, rng);
        Matrix rep = new Matrix(x.rows * k, x.cols);
        for (int r = 0; r < rep.rows; r++) {
            System.arraycopy(x.data, (r / k) * x.cols, rep.data, r * x.cols, x.cols);
        }
        Var logRatio = ElementwiseOps.sub(m.prior().relaxedLogDensity(s.zeta(), c.relaxationKernel()),
                s.logQ(s.zeta()));
        Var logW = ElementwiseOps.add(ElementwiseOps.scale(logRatio, (float) lambda),
                m.decoder().logLikelihood(tape.constant(rep), s.zeta(), Mode.TRAIN));
        double[] w = ObjectiveOps.normalizedWeights(logW.value().data, k);
        Matrix weights = new Matrix(rows.length, 1);
        for (int i = 0; i < rows.length; i++) {
            weights.data[i] = (float) (-Math.pow(w[i], power) / x.rows);
        }
        tape.backward(ReduceOps.sum(ElementwiseOps.mul(logW, tape.constant(weights))));
    }
}
