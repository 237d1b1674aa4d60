package dvae.math.toy;

import dvae.math.random.RandomStream;

/**
 * A Monte Carlo estimate of ∂_φ KL(q_φ‖p) = ∂_φ E_q[f] with f(z) = log q_φ′(z) − log p(z), averaged over a batch of
 * independent draws. q's parameters φ′ inside f are held fixed: f's explicit φ term has zero mean (Roeder et al.).
 *
 * <ul>
 *   <li>{@link Kind#GIBBS}: the paper's estimator II (Eq. 13-14): z′ ~ q exactly and held fixed, then t
 *       reparameterised Gibbs updates, the gradient back-propagated through the updates only;</li>
 *   <li>{@link Kind#GIBBS_WITH_TERM_I}: the same plus term I of Eq. 10, f(z)·∂_φ log q_φ(z′), making it unbiased
 *       (the dashed lines of Fig. 2); as in Eq. 10 it has no baseline;</li>
 *   <li>{@link Kind#REINFORCE}: the score function f(z)·∂_φ log q_φ(z), z ~ q, without a baseline: both densities in f
 *       are normalised, so f vanishes where q = p and is its own baseline near the optimum;</li>
 *   <li>{@link Kind#REPARAMETERIZED}: the path-wise gradient through z = m + L⁻ᵀε.</li>
 * </ul>
 */
public record GaussianEstimator(Kind kind, int t) {
    public enum Kind {
        GIBBS, GIBBS_WITH_TERM_I, REINFORCE, REPARAMETERIZED
    }

    public GaussianEstimator {
        boolean gibbs = kind == Kind.GIBBS || kind == Kind.GIBBS_WITH_TERM_I;
        if (gibbs != (t > 0)) {
            throw new IllegalArgumentException("Gibbs estimators need t >= 1 updates, the others t = 0; got " + t);
        }
    }

    public static GaussianEstimator gibbs(int t, boolean withTermI) {
        return new GaussianEstimator(withTermI ? Kind.GIBBS_WITH_TERM_I : Kind.GIBBS, t);
    }

    public static GaussianEstimator reinforce() {
        return new GaussianEstimator(Kind.REINFORCE, 0);
    }

    public static GaussianEstimator reparameterized() {
        return new GaussianEstimator(Kind.REPARAMETERIZED, 0);
    }

    /** A stable id for results and plots, e.g. {@code gibbs-t2}, {@code gibbs-t2+I}, {@code reinforce}. */
    public String id() {
        return switch (kind) {
            case GIBBS -> "gibbs-t" + t;
            case GIBBS_WITH_TERM_I -> "gibbs-t" + t + "+I";
            case REINFORCE -> "reinforce";
            case REPARAMETERIZED -> "reparameterized";
        };
    }

    /** The batch-mean gradient estimate at q. */
    public double[] estimate(PrecisionGaussian q, PrecisionGaussian p, int batch, RandomStream rng) {
        double[] gradient = new double[PrecisionGaussian.PARAMETERS];
        double[] eps = new double[2 * t];
        for (int i = 0; i < batch; i++) {
            PrecisionGaussian.PathSample draw = q.sample(rng.nextGaussian(), rng.nextGaussian());
            switch (kind) {
                case REINFORCE -> add(gradient, q.score(draw.z()), f(q, p, draw.z()));
                case REPARAMETERIZED -> add(gradient, draw.pullBack(fGradient(q, p, draw.z())), 1);
                case GIBBS, GIBBS_WITH_TERM_I -> {
                    for (int k = 0; k < eps.length; k++) {
                        eps[k] = rng.nextGaussian();
                    }
                    PrecisionGaussian.PathSample chain = q.gibbs(draw.z(), t, eps);
                    add(gradient, chain.pullBack(fGradient(q, p, chain.z())), 1);
                    if (kind == Kind.GIBBS_WITH_TERM_I) {
                        add(gradient, q.score(draw.z()), f(q, p, chain.z()));
                    }
                }
            }
        }
        for (int k = 0; k < gradient.length; k++) {
            gradient[k] /= batch;
        }
        return gradient;
    }

    static double f(PrecisionGaussian q, PrecisionGaussian p, double[] z) {
        return q.logDensity(z) - p.logDensity(z);
    }

    static double[] fGradient(PrecisionGaussian q, PrecisionGaussian p, double[] z) {
        double[] gq = q.logDensityGradient(z);
        double[] gp = p.logDensityGradient(z);
        return new double[] {gq[0] - gp[0], gq[1] - gp[1]};
    }

    private static void add(double[] into, double[] values, double weight) {
        for (int k = 0; k < into.length; k++) {
            into[k] += weight * values[k];
        }
    }
}
