package dvae.math.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.rbm.AnnealingBase;
import dvae.math.rbm.ExactRbm;
import dvae.math.rbm.Rbm;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MultimodalityTest {
    @Test
    void aFactorialRbmHasOneModeAndMeanFieldIsExact() {
        float[] b1 = {1.5f, -0.5f, 0.2f, -2f};
        float[] b2 = {0.3f, 1f, -1f, 2.5f};
        Rbm rbm = new Rbm(4, 4, new float[16], b1, b2);
        Annealing.AisRun run = Annealing.ais(rbm, 10, 1000, AnnealingBase.BIASES, new RandomStream(1));
        Multimodality.Modes modes = Multimodality.analyse(rbm, run.z1(), 1000, ExactRbm.logZ(rbm));
        assertEquals(1, modes.count());
        assertEquals(1000, modes.modes().get(0).visits());
        assertEquals(0, modes.meanKl(), 1e-3);
    }

    @Test
    void aFerromagneticRbmHasTwoModesOfEqualWeight() {
        // −E = 3·(Σz1)(Σz2) − 6·(Σz1 + Σz2): all zeros and all ones both have energy 0, every other state is higher.
        float[] w = new float[16];
        Arrays.fill(w, 3f);
        float[] b = new float[4];
        Arrays.fill(b, -6f);
        Rbm rbm = new Rbm(4, 4, w, b, b.clone());
        double logZ = ExactRbm.logZ(rbm);
        Annealing.AisRun run = Annealing.ais(rbm, 2000, 2000, AnnealingBase.UNIFORM, new RandomStream(2));
        Multimodality.Modes modes = Multimodality.analyse(rbm, run.z1(), 2000, logZ);
        assertEquals(2, modes.count());
        assertEquals(1000, modes.modes().get(0).visits(), 150);
        // Each mode is nearly a point mass of probability about 1/2: KL ≈ log 2.
        assertEquals(Math.log(2), modes.modes().get(0).kl(), 0.1);
        assertEquals(Math.log(2), modes.modes().get(1).kl(), 0.1);
    }
}
