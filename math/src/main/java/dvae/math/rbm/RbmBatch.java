package dvae.math.rbm;

/**
 * A batch of per-example RBMs of one shape, as the amortized posterior produces them: example e's couplings are
 * w[e·n1·n2 .. (e+1)·n1·n2) (n1×n2 row-major), its biases b1[e·n1 ..) and b2[e·n2 ..).
 */
public record RbmBatch(int size, int n1, int n2, float[] w, float[] b1, float[] b2) {
    public RbmBatch {
        if (size <= 0 || n1 <= 0 || n2 <= 0) {
            throw new IllegalArgumentException("RBM batch needs positive size and sides: " + size + " x " + n1 + "+" + n2);
        }
        if (w.length != size * n1 * n2 || b1.length != size * n1 || b2.length != size * n2) {
            throw new IllegalArgumentException("RBM batch of " + size + " x " + n1 + "+" + n2 + ": W has " + w.length
                    + " entries, b1 " + b1.length + ", b2 " + b2.length);
        }
    }

    /** A copy of example e's machine. */
    public Rbm example(int e) {
        int m = n1 * n2;
        return new Rbm(n1, n2, java.util.Arrays.copyOfRange(w, e * m, (e + 1) * m),
                java.util.Arrays.copyOfRange(b1, e * n1, (e + 1) * n1),
                java.util.Arrays.copyOfRange(b2, e * n2, (e + 1) * n2));
    }
}
