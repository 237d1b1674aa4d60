package dvae.math.rbm;

import dvae.math.tensor.Scalars;
import java.util.stream.IntStream;

/**
 * Exact log Z and moments of small RBMs by enumerating one side with the other summed out analytically:
 * log Z = logsumexp over z1 of [b1·z1 + Σ_j softplus(b2_j + (z1W)_j)]. The oracle every estimator is tested
 * against. States are visited in Gray-code order so each one updates z1W by one row of W, in double.
 */
public final class ExactRbm {
    /** The largest side that is enumerated: 2^26 states take seconds. */
    public static final int MAX_ENUMERATED_UNITS = 26;
    /** The enumeration is split into this many independent blocks of the top bits (run in parallel). */
    private static final int BLOCK_BITS = 6;

    private ExactRbm() {
    }

    /** Exact log Z, enumerating the smaller side. */
    public static double logZ(Rbm rbm) {
        Rbm r = rbm.n1() <= rbm.n2() ? rbm : rbm.transposed();
        checkSize(r.n1());
        int blockBits = Math.min(BLOCK_BITS, r.n1());
        double[][] partial = IntStream.range(0, 1 << blockBits).parallel()
                .mapToObj(block -> blockLogSumExp(r, block, blockBits))
                .toArray(double[][]::new);
        double max = Double.NEGATIVE_INFINITY;
        for (double[] p : partial) {
            max = Math.max(max, p[0]);
        }
        double sum = 0;
        for (double[] p : partial) {
            sum += p[1] * Math.exp(p[0] - max);
        }
        return max + Math.log(sum);
    }

    /** {max, Σ exp(v − max)} over the states whose top bits equal {@code block}. */
    private static double[] blockLogSumExp(Rbm r, int block, int blockBits) {
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        var walk = new GrayWalk(r, block, blockBits);
        do {
            double v = walk.logMarginal();
            if (v > max) {
                sum = sum * Math.exp(max - v) + 1;
                max = v;
            } else {
                sum += Math.exp(v - max);
            }
        } while (walk.next());
        return new double[] {max, sum};
    }

    /** Exact E[z1], E[z2], E[z1 z2ᵀ], enumerating side 1 (Rao-Blackwellised over side 2). */
    public static NegativePhase moments(Rbm rbm) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        checkSize(n1);
        double logZ = logZ(rbm);
        double[] m1 = new double[n1];
        double[] m2 = new double[n2];
        double[] m12 = new double[n1 * n2];
        var walk = new GrayWalk(rbm, 0, 0);
        do {
            double p = Math.exp(walk.logMarginal() - logZ);
            for (int j = 0; j < n2; j++) {
                double mean2 = p / (1 + Math.exp(-(rbm.b2()[j] + walk.coupling[j])));
                m2[j] += mean2;
                for (int i = 0; i < n1; i++) {
                    if (walk.z1[i]) {
                        m12[i * n2 + j] += mean2;
                    }
                }
            }
            for (int i = 0; i < n1; i++) {
                if (walk.z1[i]) {
                    m1[i] += p;
                }
            }
        } while (walk.next());
        return new NegativePhase(n1, n2, m1, m2, m12);
    }

    private static void checkSize(int n) {
        if (n > MAX_ENUMERATED_UNITS) {
            throw new IllegalArgumentException("exact enumeration needs a side of at most " + MAX_ENUMERATED_UNITS
                    + " units, the smaller side has " + n);
        }
    }

    /**
     * Visits the 2^(n1 − fixedBits) states of side 1 whose top fixedBits bits spell {@code block}, in Gray-code
     * order over the free bits, keeping b1·z1 and z1W up to date in double.
     */
    private static final class GrayWalk {
        private final Rbm rbm;
        private final int freeBits;
        final boolean[] z1;
        final double[] coupling;
        private double bias1;
        private long step;

        GrayWalk(Rbm rbm, int block, int fixedBits) {
            this.rbm = rbm;
            this.freeBits = rbm.n1() - fixedBits;
            this.z1 = new boolean[rbm.n1()];
            this.coupling = new double[rbm.n2()];
            for (int b = 0; b < fixedBits; b++) {
                if ((block >> b & 1) != 0) {
                    flip(freeBits + b);
                }
            }
        }

        double logMarginal() {
            double v = bias1;
            float[] b2 = rbm.b2();
            for (int j = 0; j < coupling.length; j++) {
                v += Scalars.softplus(b2[j] + coupling[j]);
            }
            return v;
        }

        /** Moves to the next state; false when all have been visited. */
        boolean next() {
            step++;
            if (step >= 1L << freeBits) {
                return false;
            }
            flip(Long.numberOfTrailingZeros(step));
            return true;
        }

        private void flip(int i) {
            z1[i] = !z1[i];
            double sign = z1[i] ? 1 : -1;
            bias1 += sign * rbm.b1()[i];
            int n2 = rbm.n2();
            float[] w = rbm.w();
            for (int j = 0; j < n2; j++) {
                coupling[j] += sign * w[i * n2 + j];
            }
        }
    }
}
