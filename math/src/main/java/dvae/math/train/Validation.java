package dvae.math.train;

import dvae.math.data.BinaryImages;
import dvae.math.data.Dataset;
import dvae.math.eval.EvalSettings;
import dvae.math.eval.Evaluation;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.rbm.LogZEstimate;
import dvae.math.random.RandomStream;
import dvae.math.run.Checkpoint;
import dvae.math.tensor.Matrix;
import dvae.math.util.Progress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What a validation measured, the same in either engine: the training bound on validation data and, when the run
 * selects checkpoints by it ({@link TrainConfig#selectsByNll()}), the NLL as the evaluation measures it.
 *
 * <p>Both take the prior's log Z from AIS at the validation (the NLL's own, or the same AIS alone),
 * never from the prior sampler's running estimate: population annealing carried along training reweights its
 * particles after updates that were computed from those very particles (the negative phase raises their energy), so
 * its estimate drifts once the prior is trained in earnest (the paper-budget run: −2,099 at step 183,100, where AIS
 * gives 249.2 ± 0.01; on a 6+6 RBM, exactly enumerated, {@code PriorSamplerTest} shows the drift and that it goes
 * away when the updates do not come from the particles), and bounds with it would not compare across validations.
 *
 * @param loss       {@link StepReport#validationLoss} with the AIS log Z below
 * @param priorLogZ  the prior's log Z by AIS, or null for structured prediction (no prior)
 * @param nll        the mean NLL over the validation subset with its standard error, or null
 * @param nllSeconds how long the NLL took (0 without one)
 */
public record Validation(double loss, LogZEstimate priorLogZ, Evaluation.MeanAndError nll, double nllSeconds) {
    /**
     * Validates the model at its current parameters; {@code nllProgress}, given the number of examples, says where
     * the NLL shows its progress (or null). The NLL and the AIS draw from streams of their own, never from {@code
     * lossStream} or the training's.
     */
    public static Validation measure(DvaeModel model, Dataset data, TrainConfig config, RandomStream lossStream,
                                     IntFunction<Progress> nllProgress) {
        boolean hasPrior = model.config().objective() != ObjectiveKind.STRUCT;
        TrainConfig.ValidNll v = config.validNll();
        Evaluation.MeanAndError nll = null;
        double nllSeconds = 0;
        LogZEstimate priorLogZ = null;
        if (config.selectsByNll()) {
            EvalSettings settings = new EvalSettings(v.samples(), v.priorTemps(), v.priorChains(), v.posteriorTemps(),
                    v.samples(), EvalSettings.POSTERIOR_WEIGHTS, config.seed());
            BinaryImages images = data.valid();
            int[] indices = Evaluation.subset(images.rows(), v.examples(), config.seed());
            Matrix x = new Matrix(indices.length, model.config().pixels());
            images.fill(indices, x.data);
            Evaluation.Outcome outcome = new Evaluation(model, settings, Runtime.getRuntime().availableProcessors())
                    .run(x, indices, null, nllProgress.apply(indices.length));
            priorLogZ = hasPrior ? outcome.prior().ais() : null;
            nll = Evaluation.MeanAndError.of(Evaluation.nlls(outcome, hasPrior ? priorLogZ.logZ() : 0,
                    model.config().objective()));
            nllSeconds = outcome.seconds();
        } else if (hasPrior) {
            priorLogZ = Evaluation.priorAis(model.prior().asRbm(), v == null ? EvalSettings.PRIOR_TEMPS
                    : v.priorTemps(), v == null ? EvalSettings.PRIOR_CHAINS : v.priorChains(), config.seed());
        }
        double loss = StepReport.validationLoss(model, data, config, priorLogZ == null ? 0 : priorLogZ.logZ(),
                lossStream);
        return new Validation(loss, priorLogZ, nll, nllSeconds);
    }

    /** The validation's line of {@code metrics.jsonl}. */
    public Map<String, Object> metrics(long step) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("valid_loss", loss);
        if (priorLogZ != null) {
            m.put("valid_prior_log_z", priorLogZ.logZ());
            m.put("valid_prior_log_z_sd", priorLogZ.sd());
        }
        if (nll != null) {
            m.put("valid_nll", nll.mean());
            if (Double.isFinite(nll.standardError())) { // one example has none
                m.put("valid_nll_standard_error", nll.standardError());
            }
            m.put("valid_nll_examples", nll.count());
            m.put("valid_nll_seconds", nllSeconds);
        }
        return m;
    }

    /** The checkpoint's score: the NLL when measured, else the training bound; null when not finite. */
    public Checkpoint.Score score() {
        if (nll != null) {
            return Double.isFinite(nll.mean()) ? new Checkpoint.Score("valid_nll", nll.mean()) : null;
        }
        return Double.isFinite(loss) ? new Checkpoint.Score("valid_loss", loss) : null;
    }
}
