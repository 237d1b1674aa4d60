package dvae.math.train;

import dvae.math.data.BinaryImages;
import dvae.math.data.Dataset;
import dvae.math.eval.EvalSettings;
import dvae.math.eval.Evaluation;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.random.RandomStream;
import dvae.math.run.Checkpoint;
import dvae.math.tensor.Matrix;
import dvae.math.util.Progress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What a validation measured, the same in either engine: the training bound on validation data and, when the run
 * selects checkpoints by it ({@link TrainConfig#validNll()}), the NLL as the evaluation measures it.
 *
 * @param loss       {@link StepReport#validationLoss}
 * @param nll        the mean NLL over the validation subset with its standard error, or null
 * @param nllSeconds how long the NLL took (0 without one)
 */
public record Validation(double loss, Evaluation.MeanAndError nll, double nllSeconds) {
    /**
     * Validates the model at its current parameters; {@code nllProgress}, given the number of examples, says where
     * the NLL shows its progress (or null). The NLL draws from the evaluation's own per-example streams, never from
     * {@code lossStream} or the training's.
     */
    public static Validation measure(DvaeModel model, Dataset data, TrainConfig config, double priorLogZ,
                                     RandomStream lossStream, IntFunction<Progress> nllProgress) {
        double loss = StepReport.validationLoss(model, data, config, priorLogZ, lossStream);
        TrainConfig.ValidNll v = config.validNll();
        if (v == null) {
            return new Validation(loss, null, 0);
        }
        EvalSettings settings = new EvalSettings(v.samples(), v.priorTemps(), v.priorChains(), v.posteriorTemps(),
                v.samples(), EvalSettings.POSTERIOR_WEIGHTS, config.seed());
        BinaryImages images = data.valid();
        int[] indices = Evaluation.subset(images.rows(), v.examples(), config.seed());
        Matrix x = new Matrix(indices.length, model.config().pixels());
        images.fill(indices, x.data);
        Evaluation.Outcome outcome = new Evaluation(model, settings, Runtime.getRuntime().availableProcessors())
                .run(x, indices, null, nllProgress.apply(indices.length));
        ObjectiveKind objective = model.config().objective();
        double logZ = objective == ObjectiveKind.STRUCT ? 0 : outcome.prior().ais().logZ();
        return new Validation(loss, Evaluation.MeanAndError.of(Evaluation.nlls(outcome, logZ, objective)),
                outcome.seconds());
    }

    /** The validation's line of {@code metrics.jsonl}. */
    public Map<String, Object> metrics(long step) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("valid_loss", loss);
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
