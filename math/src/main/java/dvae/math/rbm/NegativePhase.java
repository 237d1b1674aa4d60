package dvae.math.rbm;

/**
 * Model expectations E[z1], E[z2] and E[z1 z2ᵀ] (n1×n2 row-major): the gradient of log Z with respect to b1, b2
 * and W, the negative phase of Boltzmann-machine learning.
 */
public record NegativePhase(int n1, int n2, double[] meanZ1, double[] meanZ2, double[] meanZ1Z2) {
}
