package dvae.math.autodiff;

import dvae.math.tensor.Matrix;

/**
 * A named tensor of a model: its value, its role, whether weight decay applies and, when trainable, the gradient that
 * the tape accumulates into ({@link dvae.math.autodiff.Tape#param}). Optimizers update {@link #value()} in place.
 */
public final class Param {
    private final String name;
    private final Role role;
    private final boolean decayed;
    private final Matrix value;
    private final Matrix grad;

    Param(String name, Role role, boolean decayed, Matrix value) {
        if (decayed && !role.trainable()) {
            throw new IllegalArgumentException(name + ": state tensors cannot be weight-decayed");
        }
        this.name = name;
        this.role = role;
        this.decayed = decayed;
        this.value = value;
        this.grad = role.trainable() ? new Matrix(value.rows, value.cols) : null;
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    public boolean trainable() {
        return role.trainable();
    }

    public boolean decayed() {
        return decayed;
    }

    public Matrix value() {
        return value;
    }

    /** The accumulated gradient; only for trainable parameters. */
    public Matrix grad() {
        if (grad == null) {
            throw new IllegalStateException(name + " is state and has no gradient");
        }
        return grad;
    }

    @Override
    public String toString() {
        return name + " " + value.shape() + " " + role.key() + (decayed ? " decayed" : "");
    }
}
