package dvae.math.rbm;

/**
 * A sampler of the prior RBM for the gradient of log Z: each training step hands it the current parameters and
 * gets back the negative phase. Its whole state can be taken and restored for checkpoints (bit-exact resumption).
 */
public interface PriorSampler {
    /** Moves the sampler's particles to the current parameters and returns E[z1], E[z2], E[z1 z2ᵀ] under them. */
    NegativePhase step(Rbm rbm);

    /** The running estimate of log Z at the parameters of the last step, or NaN if the sampler does not track it. */
    double logZ();

    SamplerState state();

    /** Restores a state taken from a sampler of the same kind and shape. */
    void restore(SamplerState state);
}
