package dvae.math.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.rbm.Annealing;
import org.junit.jupiter.api.Test;

class EvalBenchmarkTest {
    private static final EvalSettings PAPER = new EvalSettings(4000, 2, 1, Annealing.POSTERIOR_TEMPS,
            Annealing.POSTERIOR_CHAINS, EvalSettings.POSTERIOR_WEIGHTS, 1);

    private static ModelConfig config(PosteriorKind kind, int latents, int levels, int[] encoder, int[] decoder) {
        return new ModelConfig(latents, kind, levels, RelaxationKind.PWL, 4, true, 10, 30, ObjectiveKind.ELBO, 1, 10,
                1, 1.5, true, encoder, decoder, BatchNorm.Config.DEFAULT, 784);
    }

    @Test
    void theFloorCountsEveryProductOfTheEvaluationByHand() {
        int k = 4000;
        // RBM 100+100, encoder 784-200-200, decoder 200-200-200-784, AIS 500 temperatures x 4000 particles.
        double encoder = 2.0 * (784 * 200 + 200 * 200);
        double head = 2.0 * 200 * (100 + 100 + 100 * 100);
        double ais = 499 * 2 * 2.0 * 4000 * 100 * 100;
        double energies = 2 * (2.0 * k * 100 * 100);
        double decoder = 2.0 * k * (200 * 200 + 200 * 200 + 200 * 784);
        assertEquals(encoder + head + ais + energies + decoder, EvalBenchmark.flopsPerExample(
                config(PosteriorKind.RBM, 200, 1, new int[] {200, 200}, new int[] {200, 200}), PAPER), 1);
        // Directed, 4 levels of 50 over 200 latents, other layer sizes: each level sees the context and the levels
        // before it, per sample; the decoder's layers follow the configuration.
        double levels = 0;
        for (int i = 0; i < 4; i++) {
            levels += 2.0 * k * (300 + 50 * i) * 50;
        }
        double prior = 2.0 * k * 100 * 100;
        double encoder2 = 2.0 * (784 * 400 + 400 * 300);
        double decoder2 = 2.0 * k * (200 * 250 + 250 * 784);
        assertEquals(encoder2 + levels + prior + decoder2, EvalBenchmark.flopsPerExample(
                config(PosteriorKind.DIRECTED, 200, 4, new int[] {400, 300}, new int[] {250}), PAPER), 1);
    }

    @Test
    void aPosteriorWhoseFloorIsNotCountedIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> EvalBenchmark.flopsPerExample(
                config(PosteriorKind.DVAE_SHARP, 200, 2, new int[] {200, 200}, new int[] {200, 200}), PAPER));
    }
}
