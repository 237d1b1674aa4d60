package dvae.math.rbm;

/**
 * Everything a prior sampler needs to resume bit-exactly: its step count, the particles' side-1 states (bit-packed,
 * particle after particle), their log-weights and the log-Z ratio committed at past resamplings, the random stream,
 * and the parameters of its last step (null before the first step, and for samplers that do not reweight).
 */
public record SamplerState(long steps, long[] packedZ1, double[] logWeights, double committedLogRatio,
                           long[] random, float[] lastW, float[] lastB1, float[] lastB2) {
}
