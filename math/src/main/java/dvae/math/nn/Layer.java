package dvae.math.nn;

import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Var;
import java.util.List;
import java.util.Map;

/** A differentiable map from a batch (rows are examples) to a batch, with its parameters in a {@link ParamSet}. */
public interface Layer {
    Var forward(Var x, Mode mode);

    /**
     * What this layer computes in evaluation mode, as steps on tensors named as in the checkpoint's parameter
     * manifest: {@code matmul} (x·kernel), {@code add} (+ bias row), {@code batch_norm} (γ·(x − mean)/√(var + ε) + β
     * with the moving averages), {@code tanh}. For readers who rebuild the network without this project.
     */
    List<Map<String, Object>> describe();
}
