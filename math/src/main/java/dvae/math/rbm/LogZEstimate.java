package dvae.math.rbm;

/**
 * An estimate of log Z with its standard deviation and the settings that produced it (method: exact, ais, rais or
 * pa; temps and chains are 0 for exact; base is null for exact).
 */
public record LogZEstimate(double logZ, double sd, String method, int temps, int chains, AnnealingBase base) {
}
