package dvae.math.toy;

/** A quantity recorded against the training iteration (iteration 0 is before the first update). */
public record Curve(long[] iterations, double[] values) {
    public Curve {
        if (iterations.length != values.length) {
            throw new IllegalArgumentException("one value per iteration");
        }
    }

    public double last() {
        return values[values.length - 1];
    }

    /** The point-wise geometric mean of curves recorded at the same iterations (KL curves are read on a log scale). */
    static Curve geometricMean(java.util.List<Curve> curves) {
        Curve first = curves.get(0);
        double[] mean = new double[first.values.length];
        for (Curve c : curves) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += Math.log(c.values[i]) / curves.size();
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] = Math.exp(mean[i]);
        }
        return new Curve(first.iterations, mean);
    }

    /** The point-wise mean of curves recorded at the same iterations. */
    static Curve arithmeticMean(java.util.List<Curve> curves) {
        double[] mean = new double[curves.get(0).values.length];
        for (Curve c : curves) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += c.values[i] / curves.size();
            }
        }
        return new Curve(curves.get(0).iterations, mean);
    }
}
