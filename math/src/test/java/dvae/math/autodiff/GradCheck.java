package dvae.math.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import java.util.function.Function;

/**
 * Central finite-difference checks of the tape's gradients.
 *
 * <p>The scalar checked is L = Σ R⊙Y for the operation's output Y and fixed random weights R (so every output element,
 * and its position, counts), summed in double from the float32 outputs. The tape is float32, so:
 * <ul>
 *   <li>step h = 1e-2 on inputs of order 1: truncation error is h²/6·|f'''| ≈ 2e-5 relative, and the rounding of the
 *       float32 outputs (≈ 6e-8 relative each, √N of them) divided by 2h stays near 1e-5·√N absolute;</li>
 *   <li>so a relative error ‖analytic − numeric‖/‖numeric‖ ≤ {@value #TOLERANCE} leaves a wide margin above that noise,
 *       while any wrong factor, sign or missing term changes the gradient by far more. Every check also asserts that
 *       the numeric gradient is not negligible (else it would pass vacuously) and that twice the analytic gradient
 *       would fail; {@code GradCheckSelfTest} shows real broken operations failing.</li>
 * </ul>
 */
public final class GradCheck {
    public static final float STEP = 1e-2f;
    public static final double TOLERANCE = 1e-2;

    private GradCheck() {
    }

    /** An operation under test, built on the given tape from variables wrapping the inputs. */
    @FunctionalInterface
    public interface Fn {
        Var apply(Var... in);
    }

    /** Checks the gradient of f with respect to every input. The inputs are perturbed in place and restored. */
    public static void check(String what, Fn f, Matrix... inputs) {
        Function<Tape, Var> forward = t -> {
            Var[] vars = new Var[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                vars[i] = t.variable(inputs[i]);
            }
            return f.apply(vars);
        };
        Matrix weights = weightsFor(forward.apply(new Tape()).value());
        Tape tape = new Tape();
        Var[] vars = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            vars[i] = tape.variable(inputs[i]);
        }
        tape.backward(f.apply(vars), weights);
        for (int i = 0; i < inputs.length; i++) {
            Matrix numeric = numericGradient(forward, inputs[i], weights);
            assertClose(what + ", input " + i, vars[i].grad(), numeric);
        }
    }

    /** Fixed random weights in [−1, 1) with the output's shape. */
    public static Matrix weightsFor(Matrix output) {
        Matrix w = new Matrix(output.rows, output.cols);
        RandomStream rng = new RandomStream(99);
        for (int i = 0; i < w.data.length; i++) {
            w.data[i] = 2 * rng.nextFloat() - 1;
        }
        return w;
    }

    /** dL/dtarget by central differences, L = Σ weights⊙forward(new tape), perturbing target in place. */
    public static Matrix numericGradient(Function<Tape, Var> forward, Matrix target, Matrix weights) {
        Matrix g = new Matrix(target.rows, target.cols);
        for (int i = 0; i < target.data.length; i++) {
            float x = target.data[i];
            float up = x + STEP;
            float down = x - STEP;
            target.data[i] = up;
            double lUp = weightedSum(forward.apply(new Tape()).value(), weights);
            target.data[i] = down;
            double lDown = weightedSum(forward.apply(new Tape()).value(), weights);
            target.data[i] = x;
            g.data[i] = (float) ((lUp - lDown) / ((double) up - down)); // the float steps actually taken
        }
        return g;
    }

    public static double weightedSum(Matrix y, Matrix weights) {
        double s = 0;
        for (int i = 0; i < y.data.length; i++) {
            s += (double) y.data[i] * weights.data[i];
        }
        return s;
    }

    /** Asserts analytic ≈ numeric in relative norm, that the check is not vacuous, and that 2·analytic would fail. */
    public static void assertClose(String what, Matrix analytic, Matrix numeric) {
        double numericNorm = norm(numeric);
        assertTrue(numericNorm > 1e-3, what + ": numeric gradient is negligible (" + numericNorm + "), check is vacuous");
        double err = relativeError(analytic, numeric, 1);
        assertTrue(err <= TOLERANCE, what + ": relative gradient error " + err + " > " + TOLERANCE
                + "\n analytic " + analytic + "\n numeric  " + numeric);
        assertTrue(relativeError(analytic, numeric, 2) > TOLERANCE, what + ": check cannot tell a factor of 2");
    }

    /** ‖factor·analytic − numeric‖ / ‖numeric‖. */
    public static double relativeError(Matrix analytic, Matrix numeric, double factor) {
        double diff = 0;
        for (int i = 0; i < numeric.data.length; i++) {
            double d = factor * analytic.data[i] - numeric.data[i];
            diff += d * d;
        }
        return Math.sqrt(diff) / norm(numeric);
    }

    public static double norm(Matrix m) {
        double s = 0;
        for (float f : m.data) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    /** A rows×cols matrix of standard normal draws from {@code rng}, row by row. */
    public static Matrix gaussian(int rows, int cols, RandomStream rng) {
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) rng.nextGaussian();
        }
        return m;
    }

    /** A rows×cols matrix of uniforms in [lo, hi) from a seeded stream. */
    public static Matrix uniform(int rows, int cols, double lo, double hi, long seed) {
        RandomStream rng = new RandomStream(seed);
        Matrix m = new Matrix(rows, cols);
        for (int i = 0; i < m.data.length; i++) {
            m.data[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return m;
    }
}
