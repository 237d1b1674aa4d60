package dvae.math.autodiff;

import dvae.math.tensor.Matrix;

/** The backward half of one recorded operation: given the gradient of the loss w.r.t. the operation's output,
 * add the gradients w.r.t. its inputs into their {@link Var#grad()} (accumulate, never overwrite). */
@FunctionalInterface
public interface Backward {
    void apply(Matrix outputGrad);
}
