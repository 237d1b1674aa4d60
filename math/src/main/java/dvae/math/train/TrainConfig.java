package dvae.math.train;

import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.random.RandomStream;
import dvae.math.rbm.PcdSampler;
import dvae.math.rbm.PopulationAnnealingSampler;
import dvae.math.rbm.PriorSampler;

/**
 * How to train: the optimiser, schedules and bookkeeping. Defaults are the authors' (reference note §3).
 *
 * @param iterations          T
 * @param batchSize           examples per step (100)
 * @param learningRate        base rate of the piecewise-constant schedule (3e-3; 3e-4 for structured prediction)
 * @param weightDecay         coefficient of ½‖θ‖² on kernels, BN γ and the prior's W (1e-4)
 * @param adamBeta1           Adam β1 (0.9)
 * @param adamBeta2           Adam β2 (0.999)
 * @param adamEpsilon         Adam ε, TF1 form (1e-3)
 * @param warmupFraction      λ = min(step/(fraction·T), 1) for the ELBO and IW bound (0.3)
 * @param entropyDecayFraction structured prediction: λ = max(1 − step/(fraction·T), entropyFloor) (0.5)
 * @param entropyFloor        structured prediction's final λ (0.05)
 * @param priorSampler        "pa" (population annealing) or "pcd"
 * @param priorParticles      particles or persistent chains of the prior sampler (1000)
 * @param priorSweeps         Gibbs sweeps of the prior sampler per step (40)
 * @param validEvery          steps between validations and checkpoints (20,000)
 * @param validExamples       validation examples used by the training-bound validation (0 = all)
 * @param validNll            how each validation measures the NLL and the prior's log Z (null in runs made before
 *                            validation NLLs: the evaluation's prior AIS then)
 * @param logEvery            steps between lines of metrics.jsonl
 * @param keepCheckpoints     most recent checkpoints kept besides the best
 * @param maxNonFiniteSteps   consecutive non-finite steps before the run stops
 * @param seed                master seed of every random stream
 * @param selectBy            what picks the best checkpoint (null in runs made before this setting: the NLL when they
 *                            have validNll settings, else the bound)
 */
public record TrainConfig(long iterations, int batchSize, double learningRate, double weightDecay, double adamBeta1,
                          double adamBeta2, double adamEpsilon, double warmupFraction, double entropyDecayFraction,
                          double entropyFloor, String priorSampler, int priorParticles, int priorSweeps,
                          long validEvery, int validExamples, ValidNll validNll, long logEvery,
                          int keepCheckpoints, int maxNonFiniteSteps, long seed, SelectBy selectBy) {

    /** What picks the best checkpoint: the validation NLL (the authors' way) or the training bound (faster). */
    public enum SelectBy { NLL, LOSS }

    /**
     * The authors' model selection: at each validation, the test protocol's NLL on validation images (K importance
     * samples, the prior's log Z by AIS, the RBM posterior's by AIS from its biases with K particles).
     *
     * @param examples       a seeded random subset of this many validation images, the same at every validation so
     *                       that checkpoints compare on the same images (0 = all, the authors' choice)
     * @param samples        K (4000)
     * @param priorTemps     prior AIS temperatures (10,000)
     * @param priorChains    prior AIS chains (1,024)
     * @param posteriorTemps RBM posterior AIS temperatures (500)
     */
    public record ValidNll(int examples, int samples, int priorTemps, int priorChains, int posteriorTemps) {
        public ValidNll {
            if (examples < 0 || samples < 1 || priorTemps < 2 || priorChains < 1 || posteriorTemps < 2) {
                throw new IllegalArgumentException("bad validation NLL settings: " + this);
            }
        }
    }

    public TrainConfig {
        if (iterations < 1 || batchSize < 1 || validEvery < 1 || logEvery < 1 || keepCheckpoints < 1
                || maxNonFiniteSteps < 1 || priorParticles < 1 || priorSweeps < 1 || validExamples < 0) {
            throw new IllegalArgumentException("bad training settings: " + this);
        }
        if (selectBy == SelectBy.NLL && validNll == null) {
            throw new IllegalArgumentException("selecting by the NLL needs validation NLL settings");
        }
        if (!priorSampler.equals("pa") && !priorSampler.equals("pcd")) {
            throw new IllegalArgumentException("prior sampler must be pa or pcd, got " + priorSampler);
        }
    }

    /** Whether validations measure the NLL and pick the best checkpoint by it. */
    public boolean selectsByNll() {
        return selectBy == null ? validNll != null : selectBy == SelectBy.NLL;
    }

    /** The ELBO/IW warm-up factor at a step. */
    public double warmup(long step) {
        return Math.min(step / (warmupFraction * iterations), 1.0);
    }

    /** Structured prediction's entropy weight at a step: falls linearly from 1 to the floor. */
    public double entropyWeight(long step) {
        return Math.max(1 - step / (entropyDecayFraction * iterations), entropyFloor);
    }

    /** The warm-up factor (ELBO, IW) or the entropy weight (structured prediction) at a step. */
    public double lambda(ObjectiveKind objective, long step) {
        return objective == ObjectiveKind.STRUCT ? entropyWeight(step) : warmup(step);
    }

    /** A prior sampler of the configured kind and sweeps for an n1+n2 prior, with {@code particles} of its own. */
    public PriorSampler newPriorSampler(int n1, int n2, int particles, RandomStream rng) {
        if (priorSampler.equals("pcd")) {
            return new PcdSampler(n1, n2, particles, priorSweeps, rng);
        }
        PopulationAnnealingSampler.Settings d = PopulationAnnealingSampler.Settings.defaults();
        return new PopulationAnnealingSampler(n1, n2, new PopulationAnnealingSampler.Settings(particles, priorSweeps,
                d.resampleBelowEss(), d.initialTemps(), d.ladderTemps()), rng);
    }
}
