package dvae.math.rbm;

import java.util.List;

/**
 * Several prior samplers as one particle set: their expectations and partition-function estimates averaged with
 * weights proportional to their particle counts. One sampler is returned as it is (bit-exact with a lone sampler).
 */
public final class PooledSamplers {
    private PooledSamplers() {
    }

    public static NegativePhase negativePhase(List<NegativePhase> phases, int[] particles) {
        if (phases.size() == 1) {
            return phases.get(0);
        }
        NegativePhase first = phases.get(0);
        double[] z1 = new double[first.meanZ1().length];
        double[] z2 = new double[first.meanZ2().length];
        double[] z1z2 = new double[first.meanZ1Z2().length];
        double total = total(particles);
        for (int s = 0; s < phases.size(); s++) {
            double w = particles[s] / total;
            NegativePhase p = phases.get(s);
            addScaled(z1, p.meanZ1(), w);
            addScaled(z2, p.meanZ2(), w);
            addScaled(z1z2, p.meanZ1Z2(), w);
        }
        return new NegativePhase(first.n1(), first.n2(), z1, z2, z1z2);
    }

    /** log of the particle-weighted mean of the samplers' Z estimates (each unbiased in Z); NaN if any is NaN. */
    public static double logZ(double[] logZ, int[] particles) {
        if (logZ.length == 1) {
            return logZ[0];
        }
        double total = total(particles);
        double[] weighted = new double[logZ.length];
        for (int s = 0; s < logZ.length; s++) {
            weighted[s] = logZ[s] + Math.log(particles[s] / total);
        }
        return LogSumExp.logSumExp(weighted, weighted.length);
    }

    private static double total(int[] particles) {
        double total = 0;
        for (int p : particles) {
            total += p;
        }
        return total;
    }

    private static void addScaled(double[] into, double[] values, double w) {
        for (int i = 0; i < into.length; i++) {
            into[i] += w * values[i];
        }
    }
}
