package dvae.math.toy;

/**
 * A two-dimensional Gaussian parameterised by its mean m and the Cholesky factor L = [[e^ℓ1, 0], [c, e^ℓ2]] of its
 * precision P = LLᵀ, so φ = (m1, m2, ℓ1, c, ℓ2) is unconstrained. Both the approximate posterior q_φ and the target
 * p of the paper's Section 3.1 take this form.
 *
 * <p>Every sampler returns, beside the sample z, its Jacobian dz/dφ with the noise (and a chain's start) held fixed:
 * forward-mode differentiation, cheap with five parameters, and checked against finite differences in the tests.
 */
public final class PrecisionGaussian {
    public static final int PARAMETERS = 5;
    static final int M1 = 0;
    static final int M2 = 1;
    static final int LOG_A = 2;
    static final int C = 3;
    static final int LOG_D = 4;

    private final double m1;
    private final double m2;
    private final double a;
    private final double c;
    private final double d;

    /** @param phi (m1, m2, ℓ1, c, ℓ2), copied */
    public PrecisionGaussian(double[] phi) {
        if (phi.length != PARAMETERS) {
            throw new IllegalArgumentException("a 2-D Gaussian has 5 parameters, given " + phi.length);
        }
        m1 = phi[M1];
        m2 = phi[M2];
        a = Math.exp(phi[LOG_A]);
        c = phi[C];
        d = Math.exp(phi[LOG_D]);
    }

    /** The Gaussian with this mean and precision [[p11, p12], [p12, p22]] (which must be positive definite). */
    public static PrecisionGaussian fromPrecision(double mean1, double mean2, double p11, double p12, double p22) {
        double a = Math.sqrt(p11);
        double c = p12 / a;
        double dSquared = p22 - c * c;
        if (!(p11 > 0 && dSquared > 0)) {
            throw new IllegalArgumentException("precision is not positive definite");
        }
        return new PrecisionGaussian(new double[] {mean1, mean2, Math.log(a), c, 0.5 * Math.log(dSquared)});
    }

    public double p11() {
        return a * a;
    }

    public double p12() {
        return a * c;
    }

    public double p22() {
        return c * c + d * d;
    }

    public double logDensity(double[] z) {
        double u1 = a * (z[0] - m1) + c * (z[1] - m2);
        double u2 = d * (z[1] - m2);
        return Math.log(a * d) - 0.5 * (u1 * u1 + u2 * u2) - Math.log(2 * Math.PI);
    }

    /** ∇_z log q(z) = −P(z − m). */
    public double[] logDensityGradient(double[] z) {
        double u1 = a * (z[0] - m1) + c * (z[1] - m2);
        double u2 = d * (z[1] - m2);
        return new double[] {-a * u1, -(c * u1 + d * u2)};
    }

    /** The score ∂_φ log q_φ(z) at a fixed z. */
    public double[] score(double[] z) {
        double delta1 = z[0] - m1;
        double delta2 = z[1] - m2;
        double u1 = a * delta1 + c * delta2;
        double u2 = d * delta2;
        return new double[] {a * u1, c * u1 + d * u2, 1 - u1 * a * delta1, -u1 * delta2, 1 - u2 * d * delta2};
    }

    /** KL(this ‖ p) in closed form. */
    public double klTo(PrecisionGaussian p) {
        double det = a * a * d * d;
        double s11 = p22() / det;
        double s12 = -p12() / det;
        double s22 = p11() / det;
        double trace = p.p11() * s11 + 2 * p.p12() * s12 + p.p22() * s22;
        double dm1 = m1 - p.m1;
        double dm2 = m2 - p.m2;
        double mahalanobis = p.p11() * dm1 * dm1 + 2 * p.p12() * dm1 * dm2 + p.p22() * dm2 * dm2;
        return 0.5 * (trace + mahalanobis - 2 + Math.log(det) - Math.log(p.a * p.a * p.d * p.d));
    }

    /** A sample together with dz/dφ (row i is ∂z_i/∂φ). */
    public record PathSample(double[] z, double[][] jacobian) {
        /** (dz/dφ)ᵀ g: the path-wise gradient of a function of z whose gradient at z is g. */
        public double[] pullBack(double[] g) {
            double[] out = new double[PARAMETERS];
            for (int k = 0; k < PARAMETERS; k++) {
                out[k] = jacobian[0][k] * g[0] + jacobian[1][k] * g[1];
            }
            return out;
        }
    }

    /** The reparameterised sample z = m + L⁻ᵀε, ε ~ N(0, I). */
    public PathSample sample(double eps1, double eps2) {
        double x2 = eps2 / d;
        double x1 = (eps1 - c * x2) / a;
        double[][] j = new double[2][PARAMETERS];
        j[0][M1] = 1;
        j[0][LOG_A] = -x1;
        j[0][C] = -x2 / a;
        j[0][LOG_D] = c * x2 / a;
        j[1][M2] = 1;
        j[1][LOG_D] = -x2;
        return new PathSample(new double[] {m1 + x1, m2 + x2}, j);
    }

    /**
     * t reparameterised Gibbs updates of q started from z′ (held fixed: no gradient through it). Each update draws
     * z1 | z2 = m1 − (P12/P11)(z2 − m2) + ε/√P11, then z2 | z1 likewise; {@code eps} holds 2t standard normals.
     */
    public PathSample gibbs(double[] zStart, int t, double[] eps) {
        if (eps.length < 2 * t) {
            throw new IllegalArgumentException(t + " Gibbs updates need " + 2 * t + " normals, given " + eps.length);
        }
        double z1 = zStart[0];
        double z2 = zStart[1];
        double[] dz1 = new double[PARAMETERS];
        double[] dz2 = new double[PARAMETERS];
        double s2 = p22();
        double sd2 = Math.sqrt(s2);
        for (int k = 0; k < t; k++) {
            // z1 | z2: slope −c/a, noise scale 1/a.
            double delta2 = z2 - m2;
            double e1 = eps[2 * k];
            z1 = m1 - c / a * delta2 + e1 / a;
            for (int p = 0; p < PARAMETERS; p++) {
                dz1[p] = -c / a * dz2[p];
            }
            dz1[M1] += 1;
            dz1[M2] += c / a;
            dz1[LOG_A] += c / a * delta2 - e1 / a;
            dz1[C] += -delta2 / a;
            // z2 | z1: slope −ac/s2, noise scale 1/√s2, with s2 = c² + d².
            double delta1 = z1 - m1;
            double e2 = eps[2 * k + 1];
            double r = a * c / s2;
            z2 = m2 - r * delta1 + e2 / sd2;
            for (int p = 0; p < PARAMETERS; p++) {
                dz2[p] = -r * dz1[p];
            }
            dz2[M1] += r;
            dz2[M2] += 1;
            dz2[LOG_A] += -r * delta1;
            dz2[C] += -a * (d * d - c * c) / (s2 * s2) * delta1 - e2 * c / (s2 * sd2);
            dz2[LOG_D] += 2 * a * c * d * d / (s2 * s2) * delta1 - e2 * d * d / (s2 * sd2);
        }
        return new PathSample(new double[] {z1, z2}, new double[][] {dz1, dz2});
    }
}
