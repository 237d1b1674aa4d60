package dvae.math.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.Param;
import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ExactRbm;
import dvae.math.run.MetricsLog;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A validation's bound carries the prior's log Z measured by AIS at the validation (not a sampler's running estimate,
 * which drifts as the prior trains): on a prior of 8 units, AIS agrees with exact enumeration and the bound is the
 * bound without log Z plus exactly that estimate.
 */
class ValidationTest {
    private static final Dataset DATA = SyntheticData.noisyPrototypes(200, 11);

    private static DvaeModel modelWithAPeakedPrior(ObjectiveKind objective) {
        ModelConfig c = TrainerTest.tinyModel(PosteriorKind.RBM, 1, RelaxationKind.PWL, objective,
                objective == ObjectiveKind.ELBO ? 1 : 3);
        DvaeModel model = new DvaeModel(c, DATA.meanPixel(), null, RandomStream.forPurpose(3, "init"));
        RandomStream rng = new RandomStream(7);
        for (Param p : model.prior().parameters()) { // far from the uniform distribution, whose log Z is 8 log 2
            float[] v = p.value().data;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (3 * rng.nextGaussian());
            }
        }
        return model;
    }

    @Test
    void theBoundTakesThePriorsLogZFromAisAtTheValidation() {
        DvaeModel model = modelWithAPeakedPrior(ObjectiveKind.ELBO);
        TrainConfig config = new TrainConfig(10, 20, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5, 0.05, "pcd", 50, 5, 10,
                0, new TrainConfig.ValidNll(12, 40, 2000, 512, 20), 1, 2, 3, 5, TrainConfig.SelectBy.LOSS); // no NLL
        double exact = ExactRbm.logZ(model.prior().asRbm());
        assertTrue(Math.abs(exact - 8 * Math.log(2)) > 5, "the test needs a prior far from uniform: " + exact);

        Validation v = Validation.measure(model, DATA, config, new RandomStream(11), n -> null);
        assertTrue(Math.abs(v.priorLogZ().logZ() - exact) < 0.02 + 5 * v.priorLogZ().sd(),
                "AIS " + v.priorLogZ() + " against exact " + exact);
        double withoutLogZ = StepReport.validationLoss(model, DATA, config, 0, new RandomStream(11));
        assertEquals(withoutLogZ + v.priorLogZ().logZ(), v.loss(), 1e-9);
        assertEquals(v.priorLogZ().logZ(), (double) v.metrics(10).get("valid_prior_log_z"));
        assertNull(v.nll());
    }

    @Test
    void structuredPredictionHasNoPriorLogZ() {
        DvaeModel model = modelWithAPeakedPrior(ObjectiveKind.STRUCT);
        TrainConfig config = TrainerTest.tinyTraining(10, 10);
        Validation v = Validation.measure(model, DATA, config, new RandomStream(11), n -> null);
        assertNull(v.priorLogZ());
        assertEquals(StepReport.validationLoss(model, DATA, config, 0, new RandomStream(11)), v.loss(), 1e-9);
        assertTrue(!v.metrics(10).containsKey("valid_prior_log_z"));
    }

    @Test
    void theNllIsComparedWithTheBestEarlierValidationOnTheSameImages(@TempDir Path tmp) {
        DvaeModel model = modelWithAPeakedPrior(ObjectiveKind.ELBO);
        TrainConfig config = new TrainConfig(10, 20, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5, 0.05, "pcd", 50, 5, 10,
                0, new TrainConfig.ValidNll(6, 40, 200, 64, 10), 1, 2, 3, 5, TrainConfig.SelectBy.NLL);
        Path log = tmp.resolve("metrics.jsonl");
        Validation first = Validation.measure(model, DATA, config, new RandomStream(11), n -> null)
                .pairedWithBestIn(log, 10);
        assertNull(first.vsBest(), "no log, nothing to compare with");
        assertEquals(6, first.nllPerExample().length);
        assertEquals(first.nll().mean(), Arrays.stream(first.nllPerExample()).average().orElseThrow(), 1e-9);

        // Two earlier validations in the log, the better one at step 20; another with other images is ignored.
        double[] better = first.nllPerExample().clone();
        double[] worse = first.nllPerExample().clone();
        for (int i = 0; i < better.length; i++) {
            better[i] -= 0.5 + 0.1 * i;
            worse[i] += 1;
        }
        try (MetricsLog m = MetricsLog.append(log)) {
            m.write(Map.of("step", 10, "valid_nll", mean(worse), "valid_nll_per_example", list(worse)));
            m.write(Map.of("step", 20, "valid_nll", mean(better), "valid_nll_per_example", list(better)));
            m.write(Map.of("step", 25, "valid_nll", mean(better) - 9, "valid_nll_per_example", List.of(1.0, 2.0)));
            m.write(Map.of("step", 40, "valid_nll", mean(better) - 9, "valid_nll_per_example", list(better)));
        }
        Validation v = Validation.measure(model, DATA, config, new RandomStream(11), n -> null)
                .pairedWithBestIn(log, 30);
        assertEquals(20, v.vsBest().bestStep(), "the lowest NLL before this step, on as many images");
        assertEquals(0.75, v.vsBest().difference().mean(), 1e-9); // 0.5 + 0.1 * mean(0..5)
        assertEquals(Math.sqrt(0.035 / 6), v.vsBest().difference().standardError(), 1e-9); // sd of 0.1 * (0..5)
        Map<String, Object> line = v.metrics(30);
        assertEquals(0.75, (double) line.get("valid_nll_minus_best"), 1e-9);
        assertEquals(20L, line.get("valid_nll_best_step"));
        assertEquals(6, ((List<?>) line.get("valid_nll_per_example")).size());
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    private static List<Double> list(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }
}
