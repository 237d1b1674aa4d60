package dvae.math.autodiff;

import dvae.math.tensor.ElementwiseKernels;
import dvae.math.tensor.Matrix;
import dvae.math.tensor.Scalars;
import dvae.math.util.Parallel;

/** Element-wise operations on the tape; binary ones need operands of the same shape. */
public final class ElementwiseOps {
    private ElementwiseOps() {
    }

    /** a + b. */
    public static Var add(Var a, Var b) {
        Matrix.requireSameShape(a.value(), b.value());
        float[] x = a.value().data;
        float[] y = b.value().data;
        Matrix out = new Matrix(a.rows(), a.cols());
        float[] o = out.data;
        Parallel.forElements(o.length, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = x[i] + y[i];
            }
        });
        return a.tape().record(out, dy -> {
            addScaled(dy, 1f, a);
            addScaled(dy, 1f, b);
        }, a, b);
    }

    /** a − b. */
    public static Var sub(Var a, Var b) {
        Matrix.requireSameShape(a.value(), b.value());
        float[] x = a.value().data;
        float[] y = b.value().data;
        Matrix out = new Matrix(a.rows(), a.cols());
        float[] o = out.data;
        Parallel.forElements(o.length, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = x[i] - y[i];
            }
        });
        return a.tape().record(out, dy -> {
            addScaled(dy, 1f, a);
            addScaled(dy, -1f, b);
        }, a, b);
    }

    /** a ⊙ b (Hadamard product). */
    public static Var mul(Var a, Var b) {
        Matrix.requireSameShape(a.value(), b.value());
        float[] x = a.value().data;
        float[] y = b.value().data;
        Matrix out = new Matrix(a.rows(), a.cols());
        float[] o = out.data;
        Parallel.forElements(o.length, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = x[i] * y[i];
            }
        });
        return a.tape().record(out, dy -> {
            if (a.needsGrad()) { // d(ab)/da = b
                addProduct(dy.data, y, a.grad().data);
            }
            if (b.needsGrad()) { // d(ab)/db = a
                addProduct(dy.data, x, b.grad().data);
            }
        }, a, b);
    }

    /** s · x for a fixed scalar s. */
    public static Var scale(Var x, float s) {
        float[] v = x.value().data;
        Matrix out = new Matrix(x.rows(), x.cols());
        float[] o = out.data;
        Parallel.forElements(o.length, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                o[i] = s * v[i];
            }
        });
        return x.tape().record(out, dy -> addScaled(dy, s, x), x);
    }

    /** tanh(x); the model for a one-input operation (see {@link Tape}). */
    public static Var tanh(Var x) {
        float[] v = x.value().data;
        Matrix out = new Matrix(x.rows(), x.cols());
        float[] y = out.data;
        ElementwiseKernels.tanh(v, y, v.length);
        return x.tape().record(out, dy -> { // tanh' = 1 − tanh²
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dy.data[i] * (1f - y[i] * y[i]);
            }
        }, x);
    }

    /** σ(x) = 1/(1 + e^−x). */
    public static Var sigmoid(Var x) {
        float[] v = x.value().data;
        Matrix out = new Matrix(x.rows(), x.cols());
        float[] y = out.data;
        for (int i = 0; i < v.length; i++) {
            y[i] = (float) Scalars.sigmoid(v[i]);
        }
        return x.tape().record(out, dy -> { // σ' = σ(1 − σ)
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dy.data[i] * y[i] * (1f - y[i]);
            }
        }, x);
    }

    /** softplus(x) = log(1 + e^x). */
    public static Var softplus(Var x) {
        float[] v = x.value().data;
        Matrix out = new Matrix(x.rows(), x.cols());
        for (int i = 0; i < v.length; i++) {
            out.data[i] = (float) Scalars.softplus(v[i]);
        }
        return x.tape().record(out, dy -> { // softplus' = σ
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dy.data[i] * (float) Scalars.sigmoid(v[i]);
            }
        }, x);
    }

    /** log σ(x) = −softplus(−x), finite for any x. */
    public static Var logSigmoid(Var x) {
        float[] v = x.value().data;
        Matrix out = new Matrix(x.rows(), x.cols());
        for (int i = 0; i < v.length; i++) {
            out.data[i] = (float) Scalars.logSigmoid(v[i]);
        }
        return x.tape().record(out, dy -> { // (log σ)' = 1 − σ = σ(−x)
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i++) {
                dx[i] += dy.data[i] * (float) Scalars.sigmoid(-v[i]);
            }
        }, x);
    }

    /** min(max(x, lo), hi); the gradient passes where lo ≤ x ≤ hi and is zero where x was clipped. */
    public static Var clamp(Var x, float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp needs lo <= hi, got " + lo + " > " + hi);
        }
        float[] v = x.value().data;
        Matrix out = new Matrix(x.rows(), x.cols());
        for (int i = 0; i < v.length; i++) {
            out.data[i] = Math.min(Math.max(v[i], lo), hi);
        }
        return x.tape().record(out, dy -> {
            float[] dx = x.grad().data;
            for (int i = 0; i < dx.length; i++) {
                if (v[i] >= lo && v[i] <= hi) {
                    dx[i] += dy.data[i];
                }
            }
        }, x);
    }

    /** x.grad += s · dy, when x needs a gradient (s = 1 adds dy exactly: a pass-through). */
    static void addScaled(Matrix dy, float s, Var x) {
        if (!x.needsGrad()) {
            return;
        }
        float[] dx = x.grad().data;
        float[] d = dy.data;
        Parallel.forElements(dx.length, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                dx[i] += s * d[i];
            }
        });
    }

    /** into += dy ⊙ factor, element by element. */
    private static void addProduct(float[] dy, float[] factor, float[] into) {
        Parallel.forElements(into.length, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                into[i] += dy[i] * factor[i];
            }
        });
    }
}
