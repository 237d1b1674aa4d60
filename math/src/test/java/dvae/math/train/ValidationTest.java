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
import org.junit.jupiter.api.Test;

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
}
