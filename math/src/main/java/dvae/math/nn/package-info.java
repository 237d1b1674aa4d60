/**
 * Layers on the tape: {@link dvae.math.nn.Dense}, {@link dvae.math.nn.BatchNorm}, {@link dvae.math.nn.DenseBnTanh}
 * and the {@link dvae.math.nn.Mlp} builder. Parameters live in a {@link dvae.math.autodiff.ParamSet}. One training
 * step, end to end:
 *
 * <pre>{@code
 * ParamSet params = new ParamSet();
 * Mlp decoder = Mlp.builder("decoder", 200).hidden(200, 200).output(784).build(params, RandomStream.forPurpose(seed, "init"));
 * Adam adam = new Adam(params);                                   // β1 0.9, β2 0.999, ε 1e-3 (TF1 form)
 * LearningRateSchedule lr = new LearningRateSchedule(3e-3, 1_000_000);
 *
 * params.zeroGrads();
 * Tape tape = new Tape();
 * Var logits = decoder.forward(tape.constant(zeta), Mode.TRAIN);
 * Var loss = ElementwiseOps.scale(ReduceOps.mean(ReduceOps.bernoulliLogLikelihood(tape.constant(x), logits)), -1f);
 * tape.backward(loss);
 * adam.step(lr.rate(adam.steps()), WeightDecay.COEFFICIENT);         // weight decay added in the same pass
 *
 * ParamStore.save(dir, params, adam);                             // .npy files + manifest.json, atomically
 * ParamStore.load(dir, params, adam);                             // or load(dir, params) for evaluation
 * }</pre>
 */
package dvae.math.nn;
