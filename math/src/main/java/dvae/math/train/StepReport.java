package dvae.math.train;

import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a run records, the same in either engine: a step's line of {@code metrics.jsonl} and the validation bound.
 */
public final class StepReport {
    private StepReport() {
    }

    /**
     * A step's metrics line.
     *
     * @param priorLogZ   the prior sampler's running log Z, or null without a sampler (population annealing's drifts
     *                    once the prior is trained: validations measure it by AIS, see {@link Validation})
     * @param essFraction population annealing's effective sample size fraction, or null for other samplers
     */
    public static Map<String, Object> stepMetrics(long step, long epoch, ObjectiveKind objective,
                                                  DvaeModel.StepValues v, double lambda, double rate,
                                                  Double priorLogZ, Double essFraction, double stepsPerSecond,
                                                  long skipped) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("epoch", epoch);
        m.put("loss", v.loss());
        m.put("log_likelihood", v.logLikelihood());
        m.put(objective == ObjectiveKind.ELBO ? "kl_without_log_z" : "log_ratio", v.klOrLogRatio());
        m.put("lambda", lambda);
        m.put("learning_rate", rate);
        if (priorLogZ != null) {
            m.put("prior_log_z", priorLogZ);
        }
        if (essFraction != null) {
            m.put("prior_ess_fraction", essFraction);
        }
        m.put("steps_per_s", stepsPerSecond);
        m.put("skipped_steps", skipped);
        return m;
    }

    /**
     * The training bound on the first {@link TrainConfig#validExamples()} validation examples (all when 0), with
     * λ = 1 (structured prediction: without the entropy term), batch norm on its moving averages and fresh posterior
     * chains, plus the prior's {@code logZ} (0 for structured prediction). Lower is better.
     */
    public static double validationLoss(DvaeModel model, Dataset data, TrainConfig config, double logZ,
                                        RandomStream validation) {
        int total = data.valid().rows();
        int n = config.validExamples() == 0 ? total : Math.min(config.validExamples(), total);
        int batch = config.batchSize();
        double sum = 0;
        int count = 0;
        double lambda = model.config().objective() == ObjectiveKind.STRUCT ? 0 : 1;
        for (int from = 0; from < n; from += batch) {
            int rows = Math.min(batch, n - from);
            Matrix x = new Matrix(rows, model.config().pixels());
            data.valid().fillRange(from, rows, x.data);
            sum += model.evaluate(x, lambda, validation).loss() * rows;
            count += rows;
        }
        return sum / count + logZ;
    }
}
