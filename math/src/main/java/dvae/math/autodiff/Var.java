package dvae.math.autodiff;

import dvae.math.tensor.Matrix;

/**
 * A matrix value on a {@link Tape}, with the gradient of the loss w.r.t. it once {@link Tape#backward} has run.
 * Values are never modified after the operation that made them returns.
 */
public final class Var {
    private final Tape tape;
    private final Matrix value;
    private final boolean needsGrad;
    private Matrix grad;

    Var(Tape tape, Matrix value, boolean needsGrad, Matrix grad) {
        this.tape = tape;
        this.value = value;
        this.needsGrad = needsGrad;
        this.grad = grad;
    }

    public Tape tape() {
        return tape;
    }

    public Matrix value() {
        return value;
    }

    public int rows() {
        return value.rows;
    }

    public int cols() {
        return value.cols;
    }

    /** True when some parameter or variable upstream wants a gradient, i.e. backward must reach this value. */
    public boolean needsGrad() {
        return needsGrad;
    }

    /**
     * The gradient accumulated so far (allocated as zeros on first use). Backward functions add into it; callers read
     * it after {@link Tape#backward}. Only for values that {@link #needsGrad()}.
     */
    public Matrix grad() {
        if (!needsGrad) {
            throw new IllegalStateException("no gradient flows to a constant (" + value.shape() + ")");
        }
        if (grad == null) {
            grad = new Matrix(value.rows, value.cols);
        }
        return grad;
    }

    /** Drops this intermediate value's gradient before another backward pass (never called on parameters). */
    void clearGrad() {
        grad = null;
    }

    /** True once some gradient has reached this value, so its producer's backward has work to do. */
    boolean hasGrad() {
        return grad != null;
    }

    @Override
    public String toString() {
        return "Var" + value.shape() + (needsGrad ? " (grad)" : " (const)");
    }
}
