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
import dvae.math.run.MetricsLog;
import dvae.math.tensor.Matrix;
import dvae.math.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>The NLL of each example is kept ({@code valid_nll_per_example} in the log), and {@link #pairedWithBestIn}
 * compares it with the best earlier validation's on the same images: the mean over images has a standard error of
 * about 2 nats on 100 MNIST images, the difference between two checkpoints on the same images one far smaller, and
 * only that tells whether a new best is better or a draw.
 *
 * @param loss          {@link StepReport#validationLoss} with the AIS log Z below
 * @param priorLogZ     the prior's log Z by AIS, or null for structured prediction (no prior)
 * @param nll           the mean NLL over the validation subset with its standard error, or null
 * @param nllPerExample the NLL of each example of the subset, in its order, or null
 * @param nllSeconds    how long the NLL took (0 without one)
 * @param vsBest        the paired difference to the best earlier validation, or null (none, or no NLL)
 */
public record Validation(double loss, LogZEstimate priorLogZ, Evaluation.MeanAndError nll, double[] nllPerExample,
                         double nllSeconds, PairedDifference vsBest) {
    /**
     * This validation's NLL less the best earlier one's ({@code bestStep}), example by example on the same images:
     * the mean difference and its standard error.
     */
    public record PairedDifference(long bestStep, double bestNll, Evaluation.MeanAndError difference) {
    }

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
        double[] perExample = null;
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
            perExample = Evaluation.nlls(outcome, hasPrior ? priorLogZ.logZ() : 0, model.config().objective());
            nll = Evaluation.MeanAndError.of(perExample);
            nllSeconds = outcome.seconds();
        } else if (hasPrior) {
            priorLogZ = Evaluation.priorAis(model.prior().asRbm(), v == null ? EvalSettings.PRIOR_TEMPS
                    : v.priorTemps(), v == null ? EvalSettings.PRIOR_CHAINS : v.priorChains(), config.seed());
        }
        double loss = StepReport.validationLoss(model, data, config, priorLogZ == null ? 0 : priorLogZ.logZ(),
                lossStream);
        return new Validation(loss, priorLogZ, nll, perExample, nllSeconds, null);
    }

    /**
     * This validation with its paired difference to the validation of lowest NLL among those logged in {@code log}
     * before {@code step} with per-example NLLs of the same images (as many: the subset is drawn from the run's
     * seed); unchanged when there is none, or no NLL here.
     */
    public Validation pairedWithBestIn(Path log, long step) {
        if (nllPerExample == null || !Files.isRegularFile(log)) {
            return this;
        }
        Map<String, Object> best = null;
        for (Map<String, Object> entry : MetricsLog.read(log)) {
            if (((Number) entry.get(MetricsLog.STEP)).longValue() < step
                    && entry.get(PER_EXAMPLE_KEY) instanceof List<?> values && values.size() == nllPerExample.length
                    && entry.get("valid_nll") instanceof Number n && Double.isFinite(n.doubleValue())
                    && (best == null || n.doubleValue() < ((Number) best.get("valid_nll")).doubleValue())) {
                best = entry;
            }
        }
        if (best == null) {
            return this;
        }
        List<?> bestValues = (List<?>) best.get(PER_EXAMPLE_KEY);
        double[] difference = new double[nllPerExample.length];
        for (int i = 0; i < difference.length; i++) {
            difference[i] = nllPerExample[i] - ((Number) bestValues.get(i)).doubleValue();
        }
        return new Validation(loss, priorLogZ, nll, nllPerExample, nllSeconds, new PairedDifference(
                ((Number) best.get(MetricsLog.STEP)).longValue(), ((Number) best.get("valid_nll")).doubleValue(),
                Evaluation.MeanAndError.of(difference)));
    }

    private static final String PER_EXAMPLE_KEY = "valid_nll_per_example";

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
            if (vsBest != null) {
                m.put("valid_nll_minus_best", vsBest.difference().mean());
                if (Double.isFinite(vsBest.difference().standardError())) {
                    m.put("valid_nll_minus_best_standard_error", vsBest.difference().standardError());
                }
                m.put("valid_nll_best_step", vsBest.bestStep());
            }
            m.put(PER_EXAMPLE_KEY, Arrays.stream(nllPerExample).boxed().toList());
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
