package dvae.math.autodiff;

import dvae.math.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * A reverse-mode differentiation tape over matrices, micrograd style: every operation computes its forward value and
 * records its backward function beside it; {@link #backward} walks the records once in reverse order. A tape is for one
 * forward/backward pass; make a new one for the next step.
 *
 * <h2>Adding an operation</h2>
 * Look at {@link ElementwiseOps#tanh} (one input) or {@link LinearOps#matmul} (two inputs). An operation is a static
 * method that takes {@link Var}s and returns a Var:
 * <ol>
 *   <li>compute the output into a fresh {@link Matrix} from the inputs' {@link Var#value()}s;</li>
 *   <li>return {@code tape.record(output, dy -> {...}, inputs...)}, whose lambda adds dLoss/dInput into
 *       {@code input.grad()} for each input that {@link Var#needsGrad()} — add, never assign, since an input may feed
 *       several operations;</li>
 *   <li>add a finite-difference test to {@code OpGradientTest} (one line with {@code GradCheck.check}).</li>
 * </ol>
 * Constants cost nothing: when no input needs a gradient, {@code record} returns a constant and keeps no record.
 */
public final class Tape {
    private record Record(Var output, Backward backward) {
    }

    private final List<Record> records = new ArrayList<>();
    private final boolean inference;
    private boolean backwardDone;

    /** A tape for training and gradient checks: parameters get gradients. */
    public Tape() {
        this(false);
    }

    private Tape(boolean inference) {
        this.inference = inference;
    }

    /**
     * A tape for forward passes only (evaluation, previews): parameters enter as constants, so no operation is
     * recorded, no intermediate is kept for a backward pass, and operations may skip what only a gradient needs. The
     * forward values are the same as on a training tape.
     */
    public static Tape inference() {
        return new Tape(true);
    }

    /** A value that gets no gradient (data, noise, fixed offsets). */
    public Var constant(Matrix value) {
        return new Var(this, value, false, null);
    }

    /** A leaf that gets its own gradient, read with {@link Var#grad()} after backward (inputs of gradient tests). */
    public Var variable(Matrix value) {
        return new Var(this, value, true, null);
    }

    /**
     * A trainable parameter: its gradient accumulates into {@link Param#grad()}, so zero those between steps (a
     * constant on an {@link #inference()} tape).
     */
    public Var param(Param p) {
        if (!p.trainable()) {
            throw new IllegalArgumentException(p.name() + " is state, not a trainable parameter");
        }
        if (inference) {
            return constant(p.value());
        }
        return new Var(this, p.value(), true, p.grad());
    }

    /**
     * Records an operation's result. Returns a constant (and records nothing) when no input needs a gradient.
     *
     * @param output   the forward value, owned by the new Var from now on
     * @param backward adds the inputs' gradients given the output's
     * @param inputs   every Var the output depends on
     */
    public Var record(Matrix output, Backward backward, Var... inputs) {
        boolean needsGrad = false;
        for (Var in : inputs) {
            if (in.tape() != this) {
                throw new IllegalArgumentException("an operand comes from another tape");
            }
            needsGrad |= in.needsGrad();
        }
        Var out = new Var(this, output, needsGrad, null);
        if (needsGrad) {
            records.add(new Record(out, backward));
        }
        return out;
    }

    /** Back-propagates from a 1×1 loss: dLoss/dLoss = 1. */
    public void backward(Var loss) {
        if (loss.rows() != 1 || loss.cols() != 1) {
            throw new IllegalArgumentException("backward(loss) needs a 1x1 loss, got " + loss.value().shape());
        }
        backward(loss, Matrix.of(1, 1, 1f));
    }

    /**
     * Back-propagates from any output, given dLoss/dOutput (e.g. an upstream gradient, or weights in a test). Once per
     * tape, unless {@link #clearIntermediateGradients} runs in between: a second pass would add every gradient again.
     */
    public void backward(Var output, Matrix outputGrad) {
        Matrix.requireSameShape(output.value(), outputGrad);
        if (backwardDone) {
            throw new IllegalStateException("backward already ran on this tape; record a new tape for the next pass");
        }
        backwardDone = true;
        if (!output.needsGrad()) {
            return; // nothing upstream wants a gradient
        }
        float[] g = output.grad().data;
        for (int i = 0; i < g.length; i++) {
            g[i] += outputGrad.data[i];
        }
        for (int i = records.size() - 1; i >= 0; i--) {
            Record r = records.get(i);
            if (r.output().hasGrad()) {
                r.backward().apply(r.output().grad());
            }
        }
    }

    /**
     * Forgets the gradients of every recorded operation's output so that {@link #backward} can run again from another
     * seed over the same forward pass (objectives whose parameter groups need different sample weights, such as the
     * IW bound's). Parameter and variable gradients are not touched: they are the caller's to keep, copy or zero.
     */
    public void clearIntermediateGradients() {
        for (Record r : records) {
            r.output().clearGrad();
        }
        backwardDone = false;
    }

    /** Number of recorded operations. */
    public int size() {
        return records.size();
    }
}
