package dvae.math.rbm;

import dvae.math.BadInputException;
import dvae.math.blas.Blas;
import dvae.math.util.Parallel;
import dvae.math.io.Npy;
import dvae.math.random.RandomStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A bipartite restricted Boltzmann machine over binary units z = [z1, z2] with −E(z) = b1·z1 + b2·z2 + z1ᵀ W z2 and
 * p(z) = exp(−E(z))/Z. W is n1×n2 row-major. The arrays are shared, not copied: a trainer may update them in place
 * between sampler calls.
 */
public final class Rbm {
    private final int n1;
    private final int n2;
    private final float[] w;
    private final float[] b1;
    private final float[] b2;

    public Rbm(int n1, int n2, float[] w, float[] b1, float[] b2) {
        if (n1 <= 0 || n2 <= 0) {
            throw new IllegalArgumentException("RBM sides must be positive: " + n1 + "+" + n2);
        }
        if (w.length != n1 * n2 || b1.length != n1 || b2.length != n2) {
            throw new IllegalArgumentException("RBM " + n1 + "+" + n2 + ": W has " + w.length + " entries, b1 "
                    + b1.length + ", b2 " + b2.length);
        }
        this.n1 = n1;
        this.n2 = n2;
        this.w = w;
        this.b1 = b1;
        this.b2 = b2;
    }

    /** Couplings W_ij ~ scale·N(0,1) and biases b ~ scale·N(0,1), from a seeded stream. */
    public static Rbm random(int n1, int n2, double scale, long seed) {
        RandomStream rng = RandomStream.forPurpose(seed, "random-rbm");
        return new Rbm(n1, n2, gaussian(n1 * n2, scale, rng), gaussian(n1, scale, rng), gaussian(n2, scale, rng));
    }

    private static float[] gaussian(int n, double scale, RandomStream rng) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (scale * rng.nextGaussian());
        }
        return out;
    }

    /** Reads W.npy (n1×n2), b1.npy (n1) and b2.npy (n2), float32 or float64, rejecting mismatched shapes and NaNs. */
    public static Rbm load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": not a folder (an RBM is read from a folder holding W.npy, b1.npy"
                    + " and b2.npy)");
        }
        Npy.Array w = readFloatArray(dir.resolve("W.npy"));
        Npy.Array b1 = readFloatArray(dir.resolve("b1.npy"));
        Npy.Array b2 = readFloatArray(dir.resolve("b2.npy"));
        if (w.shape().length != 2) {
            throw new BadInputException(dir.resolve("W.npy") + ": expected a 2-d array (n1, n2), got shape "
                    + Arrays.toString(w.shape()));
        }
        int n1 = w.shape()[0];
        int n2 = w.shape()[1];
        checkVector(dir.resolve("b1.npy"), b1, n1);
        checkVector(dir.resolve("b2.npy"), b2, n2);
        if (n1 == 0 || n2 == 0) {
            throw new BadInputException(dir.resolve("W.npy") + ": empty RBM side, shape " + Arrays.toString(w.shape()));
        }
        Rbm rbm = new Rbm(n1, n2, w.asFloats(), b1.asFloats(), b2.asFloats());
        checkFinite(dir.resolve("W.npy").toString(), rbm.w);
        checkFinite(dir.resolve("b1.npy").toString(), rbm.b1);
        checkFinite(dir.resolve("b2.npy").toString(), rbm.b2);
        return rbm;
    }

    private static Npy.Array readFloatArray(Path file) {
        Npy.Array a = Npy.read(file);
        if (!a.descr().equals("<f4") && !a.descr().equals("<f8")) {
            throw new BadInputException(file + ": expected float32 or float64, got dtype " + a.descr());
        }
        return a;
    }

    private static void checkVector(Path file, Npy.Array a, int length) {
        if (a.shape().length != 1 || a.shape()[0] != length) {
            throw new BadInputException(file + ": expected shape (" + length + ",) to match W.npy, got "
                    + Arrays.toString(a.shape()));
        }
    }

    private static void checkFinite(String name, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new BadInputException(name + ": entry " + i + " is " + values[i] + " (parameters must be finite)");
            }
        }
    }

    /** Writes W.npy, b1.npy and b2.npy (float32) into dir. */
    public void save(Path dir) {
        Npy.writeFloats(dir.resolve("W.npy"), new int[] {n1, n2}, w);
        Npy.writeFloats(dir.resolve("b1.npy"), new int[] {n1}, b1);
        Npy.writeFloats(dir.resolve("b2.npy"), new int[] {n2}, b2);
    }

    public int n1() {
        return n1;
    }

    public int n2() {
        return n2;
    }

    public float[] w() {
        return w;
    }

    public float[] b1() {
        return b1;
    }

    public float[] b2() {
        return b2;
    }

    /** The same machine with the sides swapped: W becomes Wᵀ. */
    public Rbm transposed() {
        float[] t = new float[w.length];
        for (int i = 0; i < n1; i++) {
            for (int j = 0; j < n2; j++) {
                t[j * n1 + i] = w[i * n2 + j];
            }
        }
        return new Rbm(n2, n1, t, b2, b1);
    }

    /** A deep copy, for samplers that must remember the parameters they last saw. */
    public Rbm copy() {
        return new Rbm(n1, n2, w.clone(), b1.clone(), b2.clone());
    }

    /** −E(z1, z2) in double for one state. */
    public double negEnergy(float[] z1, float[] z2) {
        double e = 0;
        for (int i = 0; i < n1; i++) {
            if (z1[i] != 0) {
                e += b1[i];
                for (int j = 0; j < n2; j++) {
                    e += (double) w[i * n2 + j] * z2[j];
                }
            }
        }
        for (int j = 0; j < n2; j++) {
            e += (double) b2[j] * z2[j];
        }
        return e;
    }

    /**
     * The log of side 1's unnormalised marginal, log Σ_{z2} exp(−E) = b1·z1 + Σ_j softplus(b2_j + (z1W)_j), for
     * each of {@code rows} states in z1 (rows × n1). coupling is scratch of rows × n2.
     */
    public void logMarginal1(float[] z1, int rows, float[] coupling, double[] out) {
        double[] biasTerms = new double[rows];
        // rows are independent: many run as parallel parts (population annealing scores 1000 particles at a time)
        Parallel.forRanges(rows, MIN_ROWS_PER_PART, (part, from, to) -> {
            Blas.sgemm(false, false, to - from, n2, n1, 1f, z1, from * n1, n1, w, 0, n2, 0f, coupling, from * n2, n2);
            VectorMath.rowSoftplusSums(coupling, from * n2, b2, to - from, n2, out, from);
            VectorMath.rowDots(z1, from * n1, b1, to - from, n1, biasTerms, from);
            for (int r = from; r < to; r++) {
                out[r] += biasTerms[r];
            }
        });
    }

    /** Rows per parallel part of {@link #logMarginal1} at least: fewer do not repay the hand-off. */
    private static final int MIN_ROWS_PER_PART = 64;
}
