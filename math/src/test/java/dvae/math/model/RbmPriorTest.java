package dvae.math.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Tape;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ExactRbm;
import dvae.math.rbm.Rbm;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

class RbmPriorTest {
    private static RbmPrior randomPrior(ParamSet params) {
        RbmPrior prior = new RbmPrior(params, 3, 4);
        RandomStream rng = new RandomStream(5);
        for (Param p : params.trainable()) {
            for (int i = 0; i < p.value().data.length; i++) {
                p.value().data[i] = (float) rng.nextGaussian();
            }
        }
        return prior;
    }

    @Test
    void logZGradientFromExactMomentsMatchesFiniteDifferencesOfExactLogZ() {
        ParamSet params = new ParamSet();
        RbmPrior prior = randomPrior(params);
        params.zeroGrads();
        prior.addLogZGradient(ExactRbm.moments(prior.asRbm()), 0.7);
        for (Param p : params.trainable()) {
            float[] theta = p.value().data;
            for (int i = 0; i < theta.length; i++) {
                float saved = theta[i];
                theta[i] = saved + 1e-3f;
                double up = ExactRbm.logZ(prior.asRbm());
                theta[i] = saved - 1e-3f;
                double down = ExactRbm.logZ(prior.asRbm());
                theta[i] = saved;
                assertEquals(0.7 * (up - down) / 2e-3, p.grad().data[i], 2e-3, p.name() + "[" + i + "]");
            }
        }
    }

    @Test
    void tapeEnergyAgreesWithTheRbmsOwnEnergy() {
        ParamSet params = new ParamSet();
        RbmPrior prior = randomPrior(params);
        Rbm rbm = prior.asRbm();
        float[] z = {1, 0, 1, 0, 1, 1, 0};
        double onTape = prior.negEnergy(new Tape().constant(new Matrix(1, 7, z))).value().data[0];
        assertEquals(rbm.negEnergy(new float[] {1, 0, 1}, new float[] {0, 1, 1, 0}), onTape, 1e-5);
    }
}
