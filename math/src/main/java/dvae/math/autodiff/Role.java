package dvae.math.autodiff;

/**
 * What a tensor in a {@link ParamSet} is, as written to checkpoint manifests. Trainable roles get a gradient and an
 * optimizer update; state roles (batch-norm moving averages) are updated by the forward pass only.
 */
public enum Role {
    KERNEL(true, true),
    BIAS(true, false),
    BN_GAMMA(true, true),
    BN_BETA(true, false),
    BN_MOVING_MEAN(false, false),
    BN_MOVING_VARIANCE(false, false);

    private final boolean trainable;
    private final boolean decayedByDefault;

    Role(boolean trainable, boolean decayedByDefault) {
        this.trainable = trainable;
        this.decayedByDefault = decayedByDefault;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Whether L2 weight decay applies unless the owner says otherwise (kernels and BN γ, per the reference). */
    public boolean decayedByDefault() {
        return decayedByDefault;
    }

    /** The manifest spelling: lower case, e.g. {@code bn_gamma}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
