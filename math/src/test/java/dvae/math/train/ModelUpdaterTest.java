package dvae.math.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dvae.math.autodiff.Param;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.optim.Adam;
import dvae.math.random.RandomStream;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * The parameter server's updater writes its updates into the flat vector when the vector is read, not at every
 * update, and what it writes is the reference trainer's update of the same gradients, bit for bit.
 */
class ModelUpdaterTest {
    private static final ModelConfig MODEL = TrainerTest.tinyModel(PosteriorKind.RBM, 1, RelaxationKind.PWL,
            ObjectiveKind.ELBO, 1);
    private static final TrainConfig TRAINING = TrainerTest.tinyTraining(10, 10);

    @Test
    void updatesReachTheVectorWhenWrittenBackAndEqualTheReferenceTrainersSteps() {
        float[] mean = new float[MODEL.pixels()];
        DvaeModel reference = new DvaeModel(MODEL, mean, null, new RandomStream(1));
        Adam adam = new Adam(reference.params(), TRAINING.adamBeta1(), TRAINING.adamBeta2(), TRAINING.adamEpsilon());
        ModelUpdater updater = new ModelUpdater(new DvaeModel(MODEL, mean, null, new RandomStream(2)), TRAINING, "t",
                mean);
        float[] vector = ParameterVector.values(reference.params()); // the server's vector starts at these values
        RandomStream rng = new RandomStream(3);
        for (int step = 1; step <= 2; step++) {
            for (Param p : reference.params().trainable()) {
                for (int i = 0; i < p.grad().data.length; i++) {
                    p.grad().data[i] = (float) rng.nextGaussian();
                }
            }
            float[] push = new float[vector.length];
            ParameterVector.writeGradientAndState(reference.params(), FloatBuffer.wrap(push));
            float[] before = vector.clone();
            updater.apply(vector, FloatBuffer.wrap(push), 1e-2, 1f, step);
            assertArrayEquals(before, vector, "the vector is left as it was until it is read");
            GradientStep.update(adam, TRAINING.weightDecay(), 1e-2);
        }
        updater.writeBack(vector);
        assertArrayEquals(ParameterVector.values(reference.params()), vector, "two updates, written back");
        updater.writeBack(vector); // nothing new: the same values
        assertArrayEquals(ParameterVector.values(reference.params()), vector);

        // Another vector: the replica loads it, and the one it held was written back first.
        float[] other = vector.clone();
        other[0] += 1f;
        float[] push = new float[vector.length];
        ParameterVector.writeGradientAndState(reference.params(), FloatBuffer.wrap(push));
        updater.apply(vector, FloatBuffer.wrap(push), 1e-2, 1f, 3);
        updater.apply(other, FloatBuffer.wrap(push), 1e-2, 1f, 4);
        GradientStep.update(adam, TRAINING.weightDecay(), 1e-2);
        assertArrayEquals(ParameterVector.values(reference.params()), vector, "written back when another came");

        // A push holding a NaN is refused whole: no update, no state taken, the next one as if it never came.
        updater.writeBack(other);
        float[] kept = other.clone();
        push[push.length / 2] = Float.NaN;
        assertFalse(updater.apply(other, FloatBuffer.wrap(push), 1e-2, 1f, 5));
        updater.writeBack(other);
        assertArrayEquals(kept, other);
    }
}
