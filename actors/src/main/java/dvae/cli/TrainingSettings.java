package dvae.cli;

import dvae.math.BadInputException;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.train.TrainConfig;

/** Turns the {@code dvae.model}, {@code dvae.objective}, {@code dvae.prior-sampler} and {@code dvae.train} settings into configs. */
final class TrainingSettings {
    private TrainingSettings() {
    }

    static ModelConfig model(Settings s, String dataset) {
        PosteriorKind posterior = switch (s.oneOf("dvae.model.posterior", "rbm", "directed", "dvae-sharp")) {
            case "rbm" -> PosteriorKind.RBM;
            case "directed" -> PosteriorKind.DIRECTED;
            default -> PosteriorKind.DVAE_SHARP;
        };
        RelaxationKind relaxation = RelaxationKind.valueOf(
                s.oneOf("dvae.model.relaxation", "pwl", "concrete", "power").toUpperCase());
        ObjectiveKind objective = ObjectiveKind.valueOf(s.oneOf("dvae.objective.kind", "elbo", "iw", "struct")
                .toUpperCase());
        String betaKey = "dvae.model.pwl-beta." + dataset;
        if (!s.config().hasPath(betaKey)) {
            throw new BadInputException("setting " + betaKey + " is missing (PWL sharpness for data set " + dataset + ")");
        }
        try {
            return new ModelConfig(s.intAtLeast("dvae.model.latents", 2), posterior,
                    s.intAtLeast("dvae.model.levels", 1), relaxation, s.positive(betaKey),
                    s.bool("dvae.model.pwl-slope-gradient"), s.positive("dvae.model.concrete-beta"),
                    s.doubleIn("dvae.model.power-beta", 1.0001, 1e6), objective,
                    s.intAtLeast("dvae.objective.samples", 1), s.intAtLeast("dvae.objective.gibbs-sweeps", 0),
                    s.intAtLeast("dvae.objective.relaxed-sweeps", 1), s.positive("dvae.model.coupling-scale"),
                    s.bool("dvae.model.energy-at-mean-field"), s.intList("dvae.model.encoder-hidden", 1),
                    s.intList("dvae.model.decoder-hidden", 1),
                    new BatchNorm.Config((float) s.positive("dvae.model.batch-norm.epsilon"),
                            (float) s.doubleIn("dvae.model.batch-norm.momentum", 0, 1)),
                    784);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("settings dvae.model / dvae.objective: " + e.getMessage());
        }
    }

    /** How validations measure the NLL (with select-by = nll) and the prior's log Z (always). */
    private static TrainConfig.ValidNll validNll(Settings s) {
        return new TrainConfig.ValidNll(s.intAtLeast("dvae.train.valid-nll.examples", 0),
                s.intAtLeast("dvae.train.valid-nll.samples", 1), s.intAtLeast("dvae.train.valid-nll.prior-temps", 2),
                s.intAtLeast("dvae.train.valid-nll.prior-chains", 1),
                s.intAtLeast("dvae.train.valid-nll.posterior-temps", 2));
    }

    /** Wall-clock minutes between checkpoints besides the validations' (0: only those; at most a week). */
    static double checkpointMinutes(Settings s) {
        return s.doubleIn("dvae.train.checkpoint-minutes", 0, 7 * 24 * 60);
    }

    static TrainConfig training(Settings s) {
        try {
            return new TrainConfig(s.longAtLeast("dvae.train.iterations", 1), s.intAtLeast("dvae.train.batch-size", 1),
                    s.positive("dvae.train.learning-rate"), s.doubleIn("dvae.train.weight-decay", 0, 1),
                    s.doubleIn("dvae.train.adam.beta1", 0, 0.999999), s.doubleIn("dvae.train.adam.beta2", 0, 0.999999),
                    s.positive("dvae.train.adam.epsilon"), s.doubleIn("dvae.train.warmup-fraction", 1e-9, 1),
                    s.doubleIn("dvae.objective.entropy-decay-fraction", 1e-9, 1),
                    s.doubleIn("dvae.objective.entropy-floor", 0, 1),
                    s.oneOf("dvae.prior-sampler.method", "pa", "pcd"), s.intAtLeast("dvae.prior-sampler.particles", 1),
                    s.intAtLeast("dvae.prior-sampler.sweeps", 1), s.longAtLeast("dvae.train.eval-every", 1),
                    s.intAtLeast("dvae.train.valid-examples", 0), validNll(s), s.longAtLeast("dvae.train.log-every", 1),
                    s.intAtLeast("dvae.train.keep-checkpoints", 1), s.intAtLeast("dvae.train.max-nonfinite-steps", 1),
                    s.longAtLeast("dvae.seed", 0), s.oneOf("dvae.train.select-by", "nll", "loss").equals("nll")
                            ? TrainConfig.SelectBy.NLL : TrainConfig.SelectBy.LOSS);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("settings dvae.train: " + e.getMessage());
        }
    }
}
