package dvae.math.toy;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Role;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;

/**
 * The least KL(q_θ‖p) an enumerable RBM attains, found by exact optimisation: Adam on the exact gradient from several
 * random starts (KL(q‖p) is not convex in θ and has local minima), its step decaying geometrically from
 * {@value #FIRST_RATE} to {@value #LAST_RATE} so that each start settles; the best start is kept.
 *
 * @param kl            the best KL found
 * @param theta         where it was found
 * @param gradientNorm  the exact gradient's Euclidean norm there (near zero at a minimum)
 * @param klPerStart    each start's final KL, to show how many reached the same minimum
 */
public record KlMinimum(double kl, double[] theta, double gradientNorm, double[] klPerStart) {
    static final double FIRST_RATE = 0.05;
    static final double LAST_RATE = 1e-5;
    private static final double INITIAL_SCALE = 1.0;

    public static KlMinimum find(EnumeratedRbm rbm, double[] targetLogProbabilities, int starts, int iterations,
                                 long seed) {
        if (starts < 1 || iterations < 1) {
            throw new IllegalArgumentException("need at least one start and one iteration");
        }
        RandomStream rng = RandomStream.forPurpose(seed, "toy-rbm/kl-min");
        double[] klPerStart = new double[starts];
        double[] best = null;
        double bestKl = Double.POSITIVE_INFINITY;
        for (int start = 0; start < starts; start++) {
            double[] initial = new double[rbm.parameterCount()];
            for (int k = 0; k < initial.length; k++) {
                initial[k] = INITIAL_SCALE * rng.nextGaussian();
            }
            double[] theta = descend(rbm, targetLogProbabilities, initial, iterations, FIRST_RATE);
            klPerStart[start] = rbm.kl(theta, targetLogProbabilities);
            if (klPerStart[start] < bestKl) {
                bestKl = klPerStart[start];
                best = theta;
            }
        }
        double[] gradient = new double[rbm.parameterCount()];
        rbm.klAndGradient(best, targetLogProbabilities, gradient);
        double norm = 0;
        for (double g : gradient) {
            norm += g * g;
        }
        return new KlMinimum(bestKl, best, Math.sqrt(norm), klPerStart);
    }

    /**
     * Adam on the exact gradient from {@code initial} for {@code iterations} steps, its step decaying geometrically
     * from {@code firstRate} to {@value #LAST_RATE}; returns where it ends.
     */
    static double[] descend(EnumeratedRbm rbm, double[] targetLogProbabilities, double[] initial, int iterations,
                            double firstRate) {
        ParamSet params = new ParamSet();
        Param theta = params.add("theta", Role.BIAS, Numerics.toMatrix(initial));
        Adam adam = Numerics.adam(params);
        double[] gradient = new double[initial.length];
        double decay = Math.log(LAST_RATE / firstRate) / Math.max(iterations - 1, 1);
        for (int it = 0; it < iterations; it++) {
            rbm.klAndGradient(Numerics.toDoubles(theta.value()), targetLogProbabilities, gradient);
            for (int k = 0; k < gradient.length; k++) {
                theta.grad().data[k] = (float) gradient[k];
            }
            adam.step(firstRate * Math.exp(decay * it));
        }
        return Numerics.toDoubles(theta.value());
    }
}
