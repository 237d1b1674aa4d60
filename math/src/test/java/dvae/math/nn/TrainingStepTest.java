package dvae.math.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.ReduceOps;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.optim.Adam;
import dvae.math.optim.LearningRateSchedule;
import dvae.math.optim.WeightDecay;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** The training step of the package comment, run: the pieces fit together and the loss goes down. */
class TrainingStepTest {

    @Test
    void anMlpLearnsToReconstructAFixedBatch() {
        RandomStream rng = RandomStream.forPurpose(1, "test");
        ParamSet params = new ParamSet();
        Mlp decoder = Mlp.builder("decoder", 8).hidden(16, 16).output(12).build(params, rng);
        Adam adam = new Adam(params);
        int steps = 200;
        LearningRateSchedule lr = new LearningRateSchedule(3e-2, steps);
        Matrix zeta = new Matrix(20, 8);
        Matrix x = new Matrix(20, 12);
        rng.fillUniform(zeta.data);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = zeta.data[(i / 12) * 8 + i % 8] > 0.5f ? 1f : 0f; // pixels copy some latents
        }
        double first = 0;
        double last = 0;
        for (int step = 0; step < steps; step++) {
            params.zeroGrads();
            Tape tape = new Tape();
            Var logits = decoder.forward(tape.constant(zeta), Mode.TRAIN);
            Var loss = ElementwiseOps.scale(ReduceOps.mean(ReduceOps.bernoulliLogLikelihood(tape.constant(x), logits)),
                    -1f);
            tape.backward(loss);
            double penalty = WeightDecay.penalty(params, WeightDecay.COEFFICIENT);
            adam.step(lr.rate(adam.steps()), WeightDecay.COEFFICIENT);
            last = loss.value().data[0] + penalty;
            if (step == 0) {
                first = last;
            }
        }
        assertTrue(first > 12 * Math.log(2) * 0.8, "starts near chance: " + first);
        assertTrue(last < 0.25 * first, "loss " + first + " -> " + last);
        Tape eval = new Tape();
        Var evalLoss = ReduceOps.mean(ReduceOps.bernoulliLogLikelihood(eval.constant(x),
                decoder.forward(eval.constant(zeta), Mode.EVAL)));
        assertTrue(-evalLoss.value().data[0] < 0.5 * first, "evaluation mode with moving averages also fits: "
                + -evalLoss.value().data[0]);
    }
}
