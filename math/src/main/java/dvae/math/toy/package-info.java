/**
 * The paper's toy experiments as library code returning result records: {@link dvae.math.toy.ToyGaussian} (Section
 * 3.1, Fig. 2: gradient estimators for a 2-D Gaussian) and {@link dvae.math.toy.ToyRbm} (Appendix A, Fig. 5: a 4+4 RBM
 * fitted to a Bernoulli mixture, with exact KL by enumeration). The command line ({@code dvae experiment}) turns the
 * records into JSON, tables and figures.
 */
package dvae.math.toy;
