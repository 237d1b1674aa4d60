package dvae.math.eval;

import dvae.math.blas.Blas;
import dvae.math.model.DvaeModel;
import dvae.math.model.RbmPosterior;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.rbm.Annealing;
import dvae.math.rbm.AnnealingBase;
import dvae.math.rbm.Rbm;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's count of an RBM's modes (§4.1.1, as the authors' code does it): every sample starts a mean-field descent
 * (m1 = the sample's side 1, then {@link #PASSES} passes m2 = σ(m1W + b2), m1 = σ(m2Wᵀ + b1), m clipped to
 * [{@link #CLIP}, 1 − {@link #CLIP}]); the fixed points are quantised to integers 100·m, and a distinct quantised
 * point reached by more than {@link #MIN_VISITS} samples is a mode. Each fixed point's distance from the RBM is
 * KL(m‖p) = E(m) − H(m) + log Z, with log Z the caller's (AIS) estimate. In double throughout.
 */
public final class Multimodality {
    public static final int PASSES = 40;
    public static final double CLIP = 1e-5;
    public static final int MIN_VISITS = 5;

    private Multimodality() {
    }

    /** One mode found: how many samples descended into it and the KL of its first sample's fixed point. */
    public record Found(int visits, double kl) {
    }

    /** The modes, most visited first, and the mean KL over the samples that reached a mode. */
    public record Modes(int samples, List<Found> modes, double meanKl) {
        public int count() {
            return modes.size();
        }
    }

    /** The modes of the RBM posterior of one example, from its evaluation AIS (its particles and its log Ẑ). */
    public static Modes ofPosterior(DvaeModel model, float[] x, EvalSettings settings, RandomStream rng) {
        Rbm phi = posteriorRbm(model, x);
        Annealing.AisRun run = Annealing.ais(phi, settings.posteriorTemps(), settings.posteriorParticles(),
                AnnealingBase.BIASES, settings.posteriorWeights(), rng);
        return analyse(phi, run.z1(), settings.posteriorParticles(), run.estimate().logZ());
    }

    /** The RBM posterior φ(x) of one example (batch norm on its moving averages). */
    public static Rbm posteriorRbm(DvaeModel model, float[] x) {
        return ((RbmPosterior) model.posterior()).machine(ExampleEstimator.encoderInput(model, x), Mode.EVAL);
    }

    /** The prior's modes, from the final particles of its evaluation AIS. */
    public static Modes ofPrior(DvaeModel model, EvalSettings settings, RandomStream rng) {
        Rbm prior = model.prior().asRbm();
        Annealing.AisRun run = Annealing.ais(prior, settings.priorTemps(), settings.priorChains(),
                AnnealingBase.UNIFORM, rng);
        return analyse(prior, run.z1(), settings.priorChains(), run.estimate().logZ());
    }

    /** Descends from {@code rows} samples (side 1 in z1, rows × n1) of the RBM whose log Z is logZ. */
    public static Modes analyse(Rbm rbm, float[] z1, int rows, double logZ) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        double[] w = new double[n1 * n2];
        for (int k = 0; k < w.length; k++) {
            w[k] = rbm.w()[k];
        }
        double[] m1 = new double[rows * n1];
        for (int k = 0; k < m1.length; k++) {
            m1[k] = clip(z1[k]);
        }
        double[] m2 = new double[rows * n2];
        for (int pass = 0; pass < PASSES; pass++) {
            Blas.dgemm(false, false, rows, n2, n1, m1, w, m2);
            sigmoidWithBias(m2, rbm.b2(), rows, n2);
            Blas.dgemm(false, true, rows, n1, n2, m2, w, m1);
            sigmoidWithBias(m1, rbm.b1(), rows, n1);
        }
        Blas.dgemm(false, false, rows, n2, n1, m1, w, m2); // m2 consistent with the final m1, for the energy
        double[] coupled = m2.clone();
        sigmoidWithBias(m2, rbm.b2(), rows, n2);
        Map<String, int[]> visits = new HashMap<>();
        Map<String, Double> klOfPoint = new HashMap<>();
        double[] kl = new double[rows];
        String[] points = new String[rows];
        for (int r = 0; r < rows; r++) {
            double negEnergy = 0;
            double entropy = 0;
            byte[] key = new byte[n1 + n2];
            for (int i = 0; i < n1; i++) {
                double m = m1[r * n1 + i];
                negEnergy += rbm.b1()[i] * m;
                entropy += bernoulliEntropy(m);
                key[i] = (byte) Math.round(100 * m);
            }
            for (int j = 0; j < n2; j++) {
                double m = m2[r * n2 + j];
                negEnergy += (rbm.b2()[j] + coupled[r * n2 + j]) * m;
                entropy += bernoulliEntropy(m);
                key[n1 + j] = (byte) Math.round(100 * m);
            }
            kl[r] = -negEnergy - entropy + logZ;
            points[r] = new String(key, StandardCharsets.ISO_8859_1);
            visits.computeIfAbsent(points[r], p -> new int[1])[0]++;
            klOfPoint.putIfAbsent(points[r], kl[r]);
        }
        List<Found> modes = new ArrayList<>();
        double klSum = 0;
        int inModes = 0;
        for (Map.Entry<String, int[]> e : visits.entrySet()) {
            int count = e.getValue()[0];
            if (count > MIN_VISITS) {
                modes.add(new Found(count, klOfPoint.get(e.getKey())));
            }
        }
        for (int r = 0; r < rows; r++) {
            if (visits.get(points[r])[0] > MIN_VISITS) {
                klSum += kl[r];
                inModes++;
            }
        }
        modes.sort(Comparator.comparingInt(Found::visits).reversed());
        return new Modes(rows, List.copyOf(modes), inModes == 0 ? Double.NaN : klSum / inModes);
    }

    private static void sigmoidWithBias(double[] a, float[] bias, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                a[r * cols + c] = clip(1 / (1 + Math.exp(-(a[r * cols + c] + bias[c]))));
            }
        }
    }

    private static double clip(double m) {
        return Math.min(Math.max(m, CLIP), 1 - CLIP);
    }

    private static double bernoulliEntropy(double m) {
        return -(m * Math.log(m) + (1 - m) * Math.log(1 - m));
    }
}
