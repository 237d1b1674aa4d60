package dvae.math.nn;

import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Var;

/** A differentiable map from a batch (rows are examples) to a batch, with its parameters in a {@link ParamSet}. */
public interface Layer {
    Var forward(Var x, Mode mode);
}
