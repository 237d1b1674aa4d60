package dvae.math.toy;

import static dvae.math.autodiff.ElementwiseOps.add;
import static dvae.math.autodiff.ElementwiseOps.sub;
import static dvae.math.autodiff.LinearOps.addBias;
import static dvae.math.autodiff.LinearOps.matmul;
import static dvae.math.autodiff.LinearOps.matmulTransB;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Role;
import dvae.math.autodiff.ShapeOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;
import dvae.math.relax.RelaxOps;
import dvae.math.relax.Relaxation;
import dvae.math.tensor.Matrix;
import dvae.math.util.KeptResults;
import dvae.math.util.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.ToDoubleFunction;

/**
 * The toy of the paper's Appendix A and Fig. 5: a 4+4 RBM q_φ (φ = b1, b2, W, not amortized) minimises
 * KL(q‖p_mix) to a mixture of Bernoullis with the paper's estimator, for several numbers t of relaxed Gibbs updates.
 * Each iteration draws z′ ~ q exactly (by enumeration), runs t relaxed updates ζ2 = relax(ζ1W + b2),
 * ζ1 = relax(ζ2Wᵀ + b1) (PWL or Concrete) from ζ1 = z1′, and back-propagates f = log q_φ′ − log p_mix, at ζ or at
 * its Rao-Blackwellised ζ_mf ({@link EvaluationPoint}), through the updates only. The KL reported is exact, by
 * enumeration, and is compared with the least KL a 4+4 RBM attains ({@link KlMinimum}).
 */
public final class ToyRbm {
    /**
     * @param n1                 units on side 1 (4 in the paper)
     * @param n2                 units on side 2 (4)
     * @param components         mixture components C (3)
     * @param bitVariance        each mixture bit's variance (0.09: means 0.1 or 0.9)
     * @param targetSeed         seed of the mixture's means (fixed, so every run fits the same target)
     * @param iterations         Adam updates per run (10,000)
     * @param batch              z′ drawn per iteration (not stated in the paper)
     * @param learningRate       Adam's step size (0.003; ε = 1e-8)
     * @param finalDecayFraction the last fraction of iterations over which the step decays linearly to zero (0: none)
     * @param relaxation         the relaxation of the Gibbs updates (the paper names PWL and Gumbel-softmax in §3.2)
     * @param evaluationPoint    where f is evaluated after the last update
     * @param initialScale       the standard deviation of q's initial couplings (biases start at zero)
     * @param ts                 numbers of relaxed Gibbs updates compared
     * @param klMinStarts        random starts of the exact optimisation
     * @param klMinIterations    Adam updates per start of the exact optimisation
     * @param curvePoints        about how many exact KL values each curve keeps
     * @param basinIterations    exact-gradient Adam steps from each run's end point to the minimum of its basin
     */
    public record Settings(int n1, int n2, int components, double bitVariance, long targetSeed, int iterations,
                           int batch, double learningRate, double finalDecayFraction, Relaxation relaxation,
                           EvaluationPoint evaluationPoint, double initialScale, List<Integer> ts, int klMinStarts,
                           int klMinIterations, int curvePoints, int basinIterations) {
        public Settings {
            ts = List.copyOf(ts);
            if (iterations < 1 || batch < 1 || !(learningRate > 0) || !(finalDecayFraction >= 0
                    && finalDecayFraction <= 1) || !(initialScale >= 0) || ts.isEmpty()
                    || ts.stream().anyMatch(t -> t < 1) || klMinStarts < 1 || klMinIterations < 1 || curvePoints < 1
                    || basinIterations < 1) {
                throw new IllegalArgumentException("invalid toy-rbm settings: " + this);
            }
        }

        /** Adam's step at an iteration: constant, then a linear decay to zero over the final fraction. */
        double rate(long iteration) {
            double decayStart = iterations * (1 - finalDecayFraction);
            if (iteration < decayStart) {
                return learningRate;
            }
            return learningRate * (iterations - iteration) / (iterations - decayStart);
        }
    }

    /** Where the estimator evaluates f after the t relaxed updates. */
    public enum EvaluationPoint {
        /** ζ = [ζ1, ζ2], as the paper's Eq. 16 and Algorithm 1 write it. */
        RELAXED,
        /**
         * ζ_mf = [σ(a1), ζ2] with a1 the last side-1 logit, the Rao-Blackwellised side 1 at which the authors' DVAE##
         * code evaluates the energies (reference note §4.5 step 5), for the whole f.
         */
        RAO_BLACKWELL,
        /**
         * log q_φ′ at ζ_mf and log p_mix at ζ: the code's split, where ζ_mf enters only the (linear in ζ1) RBM energies
         * and the rest of the objective, the decoder there and p_mix here, sees ζ.
         */
        ENERGY_RAO_BLACKWELL
    }

    /**
     * One t over all seeds: the mean final exact KL, the gap to the least attainable KL, each seed's final KL, the
     * exact KL curve (geometric mean over seeds) and, for each seed, the KL that exact-gradient descent reaches from
     * where the run ended: the minimum whose basin the run ended in, which tells a run that found the global
     * minimiser's basin but stopped short of its floor (the estimator's bias) from one caught by another minimum.
     */
    public record Case(int t, double kl, double klMin, double gap, double[] klPerSeed, Curve klCurve,
                       double[] descendedKlPerSeed) {
        /**
         * Runs {@code seeds} optimisations (seeds 1, 2, ...) and the descent from each one's end, or reads them back
         * from {@code kept} (key {@code toy-rbm-LABEL-seed-S}), reporting each curve once both are done (so that
         * progress counts the descents' time too) and whether it was read back.
         */
        static Case of(int t, String label, double klMin, int seeds, LongFunction<Run> run,
                       ToDoubleFunction<double[]> descend, KeptResults kept, BiConsumer<Curve, Boolean> done) {
            List<Curve> curves = new ArrayList<>();
            double[] descended = new double[seeds];
            for (int seed = 1; seed <= seeds; seed++) {
                long s = seed;
                boolean[] keptBefore = {false};
                SeedRun r = kept.getOrRun("toy-rbm-" + label.replace(' ', '-').replace("=", "") + "-seed-" + seed,
                        SeedRun.class,
                        () -> keptBefore[0] = true, () -> {
                            Run trained = run.apply(s);
                            return new SeedRun(trained.curve(), descend.applyAsDouble(trained.theta()));
                        });
                descended[seed - 1] = r.descendedKl();
                curves.add(r.curve());
                done.accept(r.curve(), keptBefore[0]);
            }
            double[] perSeed = curves.stream().mapToDouble(Curve::last).toArray();
            double kl = Arrays.stream(perSeed).average().orElseThrow();
            return new Case(t, kl, klMin, kl - klMin, perSeed, Curve.geometricMean(curves), descended);
        }

        /**
         * How many seeds ended in the global minimiser's basin: exact descent from their end point reaches KL_min
         * within {@link #SAME_MINIMUM} (the other minima of these targets lie 1e-3 and more above it).
         */
        public int seedsInGlobalBasin() {
            return (int) Arrays.stream(descendedKlPerSeed).filter(d -> d - klMin <= SAME_MINIMUM).count();
        }
    }

    /** Two descents that end within this (nats) of each other reached the same minimum. */
    public static final double SAME_MINIMUM = 1e-5;

    /** One optimisation: its exact KL curve and the parameters θ it ended with. */
    record Run(Curve curve, double[] theta) {
    }

    /** What a case keeps of one seed's run: its KL curve and the KL exact descent reaches from its end point. */
    public record SeedRun(Curve curve, double descendedKl) {
    }

    /**
     * @param cases         the estimator for each t
     * @param exactGradient a reference, not in the paper: the same Adam run (same start, steps and iterations) on the
     *                      exact gradient, separating what the optimiser reaches from what the estimator's bias costs
     *                      (reported with t = 0)
     * @param termTwo       a reference, not in the paper: for each t, the same Adam run on the exact term II of
     *                      Eq. 9 (by enumeration, no relaxation), separating the bias of dropping term I from that of
     *                      the relaxation
     */
    public record Result(Settings settings, int seeds, BernoulliMixture target, KlMinimum klMin, List<Case> cases,
                         Case exactGradient, List<Case> termTwo) {
    }

    /** q's parameters as the tape sees them. */
    record RbmParams(ParamSet all, Param b1, Param b2, Param w) {
        /** Biases start at zero and couplings at N(0, scale²), to break the symmetry between units. */
        static RbmParams initial(int n1, int n2, double scale, long seed) {
            RandomStream rng = RandomStream.forPurpose(seed, "toy-rbm/init");
            Matrix w = new Matrix(n1, n2);
            for (int i = 0; i < w.data.length; i++) {
                w.data[i] = (float) (scale * rng.nextGaussian());
            }
            ParamSet all = new ParamSet();
            return new RbmParams(all, all.add("b1", Role.BIAS, new Matrix(1, n1)),
                    all.add("b2", Role.BIAS, new Matrix(1, n2)), all.add("w", Role.KERNEL, w));
        }

        /** θ = [b1, b2, W] in {@link EnumeratedRbm}'s layout. */
        double[] theta() {
            double[] theta = new double[(int) all.trainableCount()];
            int k = 0;
            for (Param p : List.of(b1, b2, w)) {
                for (float v : p.value().data) {
                    theta[k++] = v;
                }
            }
            return theta;
        }

        /** Sets the gradients from a flat vector in θ's layout. */
        void setGradient(double[] gradient) {
            int k = 0;
            for (Param p : List.of(b1, b2, w)) {
                float[] g = p.grad().data;
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) gradient[k++];
                }
            }
        }
    }

    private ToyRbm() {
    }

    /**
     * Runs every case for {@code seeds} seeds; each (case, seed) run is kept in {@code kept} as it finishes and read
     * back from there when it holds it.
     */
    public static Result run(Settings s, int seeds, ProgressListener progress, KeptResults kept) {
        EnumeratedRbm rbm = new EnumeratedRbm(s.n1(), s.n2());
        BernoulliMixture target = BernoulliMixture.randomCorners(s.components(), s.n1() + s.n2(), s.bitVariance(),
                s.targetSeed());
        double[] targetLogp = rbm.logProbabilitiesOf(target);
        KlMinimum klMin = KlMinimum.find(rbm, targetLogp, s.klMinStarts(), s.klMinIterations(), s.targetSeed());
        long total = (long) (2 * s.ts().size() + 1) * seeds * s.iterations();
        long[] done = {0};
        Function<String, BiConsumer<Curve, Boolean>> report = label -> (curve, keptBefore) -> {
            done[0] += s.iterations();
            ProgressListener.report(progress, keptBefore, done[0], total,
                    String.format("%s: KL %.5f (min %.5f)", label, curve.last(), klMin.kl()));
        };
        double[] gradient = new double[rbm.parameterCount()];
        // From an end point, exact-gradient Adam starting at the runs' own step (small enough not to leave the basin)
        // and decaying as KL_min's starts do.
        ToDoubleFunction<double[]> descend = theta -> rbm.kl(KlMinimum.descend(rbm, targetLogp, theta,
                s.basinIterations(), s.learningRate()), targetLogp);
        Case exact = Case.of(0, "exact gradient", klMin.kl(), seeds, seed -> train(s, rbm, targetLogp, seed,
                params -> {
                    rbm.klAndGradient(params.theta(), targetLogp, gradient);
                    params.setGradient(gradient);
                }), descend, kept, report.apply("exact gradient"));
        List<Case> termTwo = new ArrayList<>();
        List<Case> cases = new ArrayList<>();
        for (int t : s.ts()) {
            String termTwoLabel = "exact term II t=" + t;
            termTwo.add(Case.of(t, termTwoLabel, klMin.kl(), seeds, seed -> train(s, rbm, targetLogp, seed,
                    params -> {
                        rbm.termTwo(params.theta(), targetLogp, t, gradient);
                        params.setGradient(gradient);
                    }), descend, kept, report.apply(termTwoLabel)));
            cases.add(Case.of(t, "t=" + t, klMin.kl(), seeds, seed -> {
                RandomStream rng = RandomStream.forPurpose(seed, "toy-rbm/t" + t);
                return train(s, rbm, targetLogp, seed, params -> {
                    params.all().zeroGrads();
                    addGradientEstimate(rbm, target, params, t, s, rng);
                });
            }, descend, kept, report.apply("t=" + t)));
        }
        return new Result(s, seeds, target, klMin, cases, exact, termTwo);
    }

    /** One Adam optimisation from seed's start with the given gradients: the exact KL along the way, and its end. */
    static Run train(Settings s, EnumeratedRbm rbm, double[] targetLogp, long seed, Consumer<RbmParams> setGradient) {
        RbmParams params = RbmParams.initial(s.n1(), s.n2(), s.initialScale(), seed);
        Adam adam = Numerics.adam(params.all());
        long[] at = Schedules.even(s.iterations(), s.curvePoints());
        double[] kl = new double[at.length];
        int next = 0;
        for (long it = 0; ; it++) {
            if (next < at.length && at[next] == it) {
                kl[next++] = rbm.kl(params.theta(), targetLogp);
            }
            if (it == s.iterations()) {
                break;
            }
            setGradient.accept(params);
            adam.step(s.rate(it));
        }
        return new Run(new Curve(at, kl), params.theta());
    }

    /**
     * Adds the estimator's gradient of KL(q‖p_mix) to the parameters' gradients: {@code s.batch()} exact z′ ~ q, t
     * relaxed Gibbs updates each, and the batch mean of f = log q_φ′ − log p_mix at the settings' evaluation point,
     * back-propagated through the updates.
     */
    static void addGradientEstimate(EnumeratedRbm rbm, BernoulliMixture target, RbmParams params, int t, Settings s,
                                    RandomStream rng) {
        Tape tape = new Tape();
        Var side1 = tape.constant(exactSamplesOfSide1(rbm, params.theta(), s.batch(), rng));
        RelaxedState state = relaxedGibbs(tape, side1, tape.param(params.b1()), tape.param(params.b2()),
                tape.param(params.w()), t, s.relaxation(), rng);
        tape.backward(ReduceOps.mean(surrogate(state, s.evaluationPoint(), params.b1().value(),
                params.b2().value(), params.w().value(), target)));
    }

    /**
     * f = log q_φ′ − log p_mix per row at the evaluation point, where log q_φ′ = −E_φ′ with φ′ = stop-gradient(φ)
     * given as the constants b1, b2, w (log Z_φ is constant in φ′) and log p_mix is the mixture's formula at the
     * continuous point.
     */
    static Var surrogate(RelaxedState state, EvaluationPoint point, Matrix b1, Matrix b2, Matrix w,
                         BernoulliMixture target) {
        Tape tape = state.zeta1().tape();
        Var meanField1 = point == EvaluationPoint.RELAXED ? null : ElementwiseOps.sigmoid(state.logit1());
        Var energyAt1 = point == EvaluationPoint.RELAXED ? state.zeta1() : meanField1;
        Var mixtureAt1 = point == EvaluationPoint.RAO_BLACKWELL ? meanField1 : state.zeta1();
        Var logQ = negativeEnergy(energyAt1, state.zeta2(), tape.constant(b1), tape.constant(b2), tape.constant(w));
        Var logP = ReduceOps.rowLogSumExp(addBias(matmulTransB(ShapeOps.concatColumns(mixtureAt1, state.zeta2()),
                tape.constant(target.logitMatrix())), tape.constant(target.componentOffsets())));
        return sub(logQ, logP);
    }

    /** The state after the relaxed updates: ζ1, ζ2 and the last side-1 logit a1 = ζ2Wᵀ + b1. */
    record RelaxedState(Var zeta1, Var zeta2, Var logit1) {
    }

    /** t relaxed Gibbs updates from the hard side-1 state: ζ2 = relax(ζ1W + b2), then ζ1 = relax(ζ2Wᵀ + b1). */
    static RelaxedState relaxedGibbs(Tape tape, Var side1, Var b1, Var b2, Var w, int t, Relaxation relaxation,
                                     RandomStream rng) {
        Var zeta1 = side1;
        Var zeta2 = null;
        Var logit1 = null;
        for (int k = 0; k < t; k++) {
            zeta2 = RelaxOps.relax(addBias(matmul(zeta1, w), b2), relaxation, uniforms(zeta1.rows() * w.cols(), rng));
            logit1 = addBias(matmulTransB(zeta2, w), b1);
            zeta1 = RelaxOps.relax(logit1, relaxation, uniforms(zeta2.rows() * w.rows(), rng));
        }
        return new RelaxedState(zeta1, zeta2, logit1);
    }

    /** −E(ζ) = ζ1·b1 + ζ2·b2 + ζ1ᵀWζ2 per row (batch×1). */
    static Var negativeEnergy(Var zeta1, Var zeta2, Var b1, Var b2, Var w) {
        Var pairwise = ReduceOps.rowSums(ElementwiseOps.mul(matmul(zeta1, w), zeta2));
        return add(pairwise, add(matmulTransB(zeta1, b1), matmulTransB(zeta2, b2)));
    }

    /** Side 1 of {@code batch} exact samples z′ ~ q_θ (side 2 is not needed: the first update resamples it). */
    private static Matrix exactSamplesOfSide1(EnumeratedRbm rbm, double[] theta, int batch, RandomStream rng) {
        EnumeratedRbm.Sampler sampler = rbm.sampler(theta);
        Matrix z1 = new Matrix(batch, rbm.n1());
        for (int r = 0; r < batch; r++) {
            int state = sampler.draw(rng);
            for (int i = 0; i < rbm.n1(); i++) {
                z1.set(r, i, (state >> i) & 1);
            }
        }
        return z1;
    }

    private static float[] uniforms(int n, RandomStream rng) {
        float[] u = new float[n];
        rng.fillUniform(u);
        return u;
    }
}
