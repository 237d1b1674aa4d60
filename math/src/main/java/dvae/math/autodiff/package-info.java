/**
 * Reverse-mode differentiation over {@link dvae.math.tensor.Matrix} values. Start at {@link dvae.math.autodiff.Tape}:
 * its comment says how an operation is written and tested. Operations are grouped by kind: {@link
 * dvae.math.autodiff.LinearOps} (products, bias, the amortized RBM's per-example products), {@link
 * dvae.math.autodiff.ElementwiseOps}, {@link dvae.math.autodiff.ReduceOps} (sums, log-sum-exp, Bernoulli
 * log-likelihood), {@link dvae.math.autodiff.ShapeOps} and {@link dvae.math.autodiff.BatchNormOps}.
 */
package dvae.math.autodiff;
