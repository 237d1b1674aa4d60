package dvae.math.model;

import dvae.math.autodiff.Var;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;

/** An approximate posterior q(z|x) that can be trained through relaxed samples. */
public interface Posterior {
    /**
     * Relaxed samples for a batch.
     *
     * @param x        rows × pixels encoder input (x − mean_x, K copies of each example in a row each)
     * @param examples training-set index of each row's example (addresses persistent chains), or null outside
     *                 training (then chains start fresh)
     * @param replicas K: rows come in runs of K copies of one example
     */
    RelaxedSample relaxedSample(Var x, int[] examples, int replicas, Mode mode, RandomStream rng);

    /** One relaxed sample ζ per row, with the posterior-specific terms the objectives need. */
    interface RelaxedSample {
        /** ζ, rows × n: what the decoder sees. */
        Var zeta();

        /** ELBO: KL(q‖p) per row without the prior's log Z (added by the trainer), gradients per the reference. */
        Var klWithoutLogZ(RbmPrior prior);

        /**
         * log q(z) per row at the given relaxed z (normally {@link #zeta()} or a gradient-reweighted view of it),
         * with q's parameters stop-gradiented: only the path through z carries gradient. For the RBM posterior
         * log Z_q is dropped (constant in the stop-gradiented parameters, and it cancels in normalised weights).
         */
        Var logQ(Var z);
    }
}
