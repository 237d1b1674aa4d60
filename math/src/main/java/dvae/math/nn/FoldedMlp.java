package dvae.math.nn;

import dvae.math.blas.Blas;
import dvae.math.tensor.ElementwiseKernels;
import java.util.List;

/**
 * An {@link Mlp} (or one layer) in evaluation mode, without the tape, for evaluation's passes of 4,000 samples per test
 * example. Batch norm with its moving averages is a fixed affine map per column, y = s·x + t with s = γ/√(σ² + ε) and
 * t = β − s·μ, so it is folded into the kernel before it (K·diag(s), bias t): a hidden layer is one product into a
 * buffer that starts as the bias rows, then tanh in place. On the tape the decoder also made passes over fresh
 * matrices for batch norm and tanh in each hidden layer and for the output bias and the data offset: with 4,000 rows
 * they added about 40% to the products' time. Results differ from the tape's by rounding (the products are of scaled
 * kernels).
 *
 * <p>A snapshot: the parameters as they were when it was made.
 */
public final class FoldedMlp {
    /** x·kernel + bias, then tanh if {@code tanh}; kernel is in × out, row-major. */
    public record Stage(float[] kernel, int in, int out, float[] bias, boolean tanh) {
    }

    private final List<Stage> stages;

    /** A layer of this package in its folded form: an {@link Mlp}, or a single {@link Dense} or hidden layer. */
    public static FoldedMlp of(Layer layer) {
        return layer instanceof Mlp mlp ? mlp.folded() : new FoldedMlp(List.of(stageOf(layer)));
    }

    static Stage stageOf(Layer layer) {
        if (layer instanceof DenseBnTanh hidden) {
            return hidden.folded();
        }
        if (layer instanceof Dense dense) {
            return dense.folded();
        }
        throw new IllegalArgumentException("no folded form of " + layer.getClass().getSimpleName());
    }

    FoldedMlp(List<Stage> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("an MLP has at least one layer");
        }
        this.stages = List.copyOf(stages);
    }

    public int inputs() {
        return stages.get(0).in();
    }

    public int outputs() {
        return stages.get(stages.size() - 1).out();
    }

    /** The last layer's bias, for a caller that adds it in a pass of its own ({@code withOutputBias = false}). */
    public float[] outputBias() {
        return stages.get(stages.size() - 1).bias().clone();
    }

    /**
     * The network's output for rows firstRow .. firstRow + rows − 1 of x (a row-major matrix of {@link #inputs()}
     * columns), as a new rows × {@link #outputs()} array; without the last layer's bias when {@code withOutputBias} is
     * false.
     */
    public float[] forward(float[] x, int firstRow, int rows, boolean withOutputBias) {
        return forward(x, firstRow, rows, inputs(), withOutputBias);
    }

    /**
     * As {@link #forward(float[], int, int, boolean)} for an x whose rows are {@code rowStride} apart: the network
     * reads the first {@link #inputs()} columns of each (a prefix of a wider matrix, as the directed posterior's levels
     * read [context, z_1, .., z_{i−1}] from one buffer).
     */
    public float[] forward(float[] x, int firstRow, int rows, int rowStride, boolean withOutputBias) {
        if (rowStride < inputs()) {
            throw new IllegalArgumentException("rows of " + rowStride + " values hold no " + inputs() + " inputs");
        }
        if (!withOutputBias && stages.get(stages.size() - 1).tanh()) {
            throw new IllegalStateException("the output layer's bias comes before its tanh: it cannot be left out");
        }
        float[] h = x;
        int offset = firstRow * rowStride;
        for (int l = 0; l < stages.size(); l++) {
            Stage s = stages.get(l);
            boolean bias = withOutputBias || l < stages.size() - 1;
            float[] out = new float[rows * s.out()];
            if (bias) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(s.bias(), 0, out, r * s.out(), s.out());
                }
            }
            Blas.sgemm(false, false, rows, s.out(), s.in(), 1f, h, l == 0 ? offset : 0, l == 0 ? rowStride : s.in(),
                    s.kernel(), 0, s.out(), bias ? 1f : 0f, out, 0, s.out());
            if (s.tanh()) {
                ElementwiseKernels.tanh(out, out, out.length);
            }
            h = out;
        }
        return h;
    }
}
