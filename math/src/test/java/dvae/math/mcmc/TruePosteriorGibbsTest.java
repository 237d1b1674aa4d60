package dvae.math.mcmc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.autodiff.ElementwiseOps;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.Tape;
import dvae.math.autodiff.Var;
import dvae.math.data.Dataset;
import dvae.math.data.SyntheticData;
import dvae.math.eval.ExactEvaluation;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import dvae.math.train.TrainConfig;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TruePosteriorGibbsTest {
    private static final int PIXELS = 784;

    /** A small image keeps the true posterior broad enough that few sweeps mix. */
    private static final int TINY_PIXELS = 12;

    private static ModelConfig config(int latents, int pixels) {
        return new ModelConfig(latents, PosteriorKind.RBM, 1, RelaxationKind.PWL, 4, true, 10, 30, ObjectiveKind.ELBO,
                1, 10, 1, 1.5, true, new int[] {16}, new int[] {16}, BatchNorm.Config.DEFAULT, pixels);
    }

    /** Many chains on one image, after a few sweeps, visit the 2^4 states with the exact posterior's frequencies. */
    @Test
    void chainsSampleTheExactPosterior() {
        float[] meanPixel = new float[TINY_PIXELS];
        Arrays.fill(meanPixel, 0.4f);
        DvaeModel model = new DvaeModel(config(4, TINY_PIXELS), meanPixel, null, new RandomStream(1));
        RandomStream rng = new RandomStream(2);
        for (Param p : model.params().trainable()) {
            if (p.name().startsWith("prior/")) {
                for (int i = 0; i < p.value().data.length; i++) {
                    p.value().data[i] = (float) (0.8 * rng.nextGaussian());
                }
            }
        }
        int chains = 20000;
        Matrix x = new Matrix(chains, TINY_PIXELS);
        float[] image = new float[TINY_PIXELS];
        for (int p = 0; p < TINY_PIXELS; p++) {
            image[p] = rng.nextFloat() < 0.4f ? 1f : 0f;
        }
        for (int r = 0; r < chains; r++) {
            System.arraycopy(image, 0, x.data, r * TINY_PIXELS, TINY_PIXELS);
        }
        int[] examples = new int[chains];
        Arrays.setAll(examples, i -> i);
        TruePosteriorGibbs gibbs = new TruePosteriorGibbs(model, chains, new RandomStream(4));
        gibbs.sample(x, examples, 10, rng);
        Matrix z = gibbs.sample(x, examples, 5, rng); // persisted chains continue where they stopped
        double[] seen = new double[16];
        for (int r = 0; r < chains; r++) {
            seen[state(z, r)] += 1.0 / chains;
        }
        double[] exact = exactPosterior(model, image);
        assertTrue(Arrays.stream(exact).max().orElseThrow() < 0.6, "a posterior worth sampling");
        for (int s = 0; s < 16; s++) {
            assertEquals(exact[s], seen[s], 0.01, "state " + s);
        }
    }

    private static int state(Matrix z, int row) {
        int s = 0;
        for (int i = 0; i < z.cols; i++) {
            s |= (z.data[row * z.cols + i] != 0 ? 1 : 0) << i;
        }
        return s;
    }

    private static double[] exactPosterior(DvaeModel model, float[] image) {
        Matrix z = new Matrix(16, 4);
        Matrix x = new Matrix(16, TINY_PIXELS);
        for (int s = 0; s < 16; s++) {
            for (int i = 0; i < 4; i++) {
                z.data[s * 4 + i] = (s >>> i & 1);
            }
            System.arraycopy(image, 0, x.data, s * TINY_PIXELS, TINY_PIXELS);
        }
        Tape tape = new Tape();
        Var zv = tape.constant(z);
        float[] joint = ElementwiseOps.add(model.prior().negEnergy(zv),
                model.decoder().logLikelihood(tape.constant(x), zv, Mode.EVAL)).value().data;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : joint) {
            max = Math.max(max, v);
        }
        double[] p = new double[16];
        double sum = 0;
        for (int s = 0; s < 16; s++) {
            p[s] = Math.exp(joint[s] - max);
            sum += p[s];
        }
        for (int s = 0; s < 16; s++) {
            p[s] /= sum;
        }
        return p;
    }

    /** Training on the true posterior raises the exact log-likelihood of the training images. */
    @Test
    void trainingImprovesTheExactLikelihood() {
        Dataset data = SyntheticData.noisyPrototypes(200, 5);
        TrainConfig train = new TrainConfig(150, 20, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5, 0.05, "pcd", 50, 5,
                150, 0, null, 1, 2, 3, 5, TrainConfig.SelectBy.LOSS);
        TruePosteriorTrainer trainer = new TruePosteriorTrainer(config(8, PIXELS), train, data, 2);
        Matrix images = new Matrix(200, PIXELS);
        data.fillTrainBatch(java.util.stream.IntStream.range(0, 200).toArray(), images.data, new RandomStream(6));
        double before = mean(ExactEvaluation.logLikelihoods(trainer.model(), images));
        long[] steps = {0};
        TruePosteriorTrainer.Summary summary = trainer.run(s -> steps[0] = s);
        double after = mean(ExactEvaluation.logLikelihoods(trainer.model(), images));
        assertEquals(150, steps[0]);
        assertEquals(0, summary.skippedSteps());
        assertTrue(summary.msPerStep() > 0);
        assertTrue(after > before + 50, "log p(x) " + before + " -> " + after);
    }

    private static final Dataset RESUME_DATA = SyntheticData.noisyPrototypes(60, 5);
    private static final TrainConfig RESUME_TRAINING = new TrainConfig(20, 10, 3e-3, 1e-4, 0.9, 0.999, 1e-3, 0.3, 0.5,
            0.05, "pcd", 20, 5, 20, 0, null, 1, 2, 3, 5, TrainConfig.SelectBy.LOSS);

    /** The 20-step run the resumed ones are compared with, never stopped. */
    private static TruePosteriorTrainer uninterrupted() {
        TruePosteriorTrainer whole = new TruePosteriorTrainer(config(6, PIXELS), RESUME_TRAINING, RESUME_DATA, 2);
        whole.run(s -> { });
        return whole;
    }

    /**
     * Stopped after 7 of 20 steps and resumed from the checkpoint it wrote, a run ends with the parameters of the run
     * that was never stopped, bit for bit (chains, sampler, batch order and streams all restored).
     */
    @Test
    void aStoppedRunResumesExactly(@TempDir Path tmp) {
        Dataset data = RESUME_DATA;
        TrainConfig train = RESUME_TRAINING;
        TruePosteriorTrainer whole = uninterrupted();

        Path keep = tmp.resolve("mcmc");
        long[] asked = {0};
        TruePosteriorTrainer first = new TruePosteriorTrainer(config(6, PIXELS), train, data, 2);
        assertTrue(!first.resumeFrom(keep), "nothing to resume yet");
        TruePosteriorTrainer.Summary stopped = first.run(s -> { }, () -> ++asked[0] == 7, keep, 0);
        assertEquals(7, stopped.steps());

        TruePosteriorTrainer second = new TruePosteriorTrainer(config(6, PIXELS), train, data, 2);
        assertTrue(second.resumeFrom(keep));
        assertEquals(7, second.step());
        long[] seen = {0};
        TruePosteriorTrainer.Summary done = second.run(s -> seen[0] = s, () -> false, keep, 0);
        assertEquals(20, done.steps());
        assertEquals(20, seen[0]);
        assertTrue(done.msPerStep() > 0);
        for (Param p : whole.model().params().all()) {
            assertArrayEquals(p.value().data, second.model().params().get(p.name()).value().data, p.name());
        }
    }

    /** With checkpoints by the clock (here after every step), a run killed outright resumes from the last one. */
    @Test
    void aKilledRunResumesFromItsLastTimedCheckpoint(@TempDir Path tmp) {
        Dataset data = RESUME_DATA;
        TrainConfig train = RESUME_TRAINING;
        TruePosteriorTrainer whole = uninterrupted();

        class Killed extends RuntimeException {
        }
        Path keep = tmp.resolve("mcmc");
        TruePosteriorTrainer first = new TruePosteriorTrainer(config(6, PIXELS), train, data, 2);
        assertThrows(Killed.class, () -> first.run(s -> {
            if (s == 9) {
                throw new Killed(); // before step 9's checkpoint
            }
        }, () -> false, keep, 1e-9));
        TruePosteriorTrainer second = new TruePosteriorTrainer(config(6, PIXELS), train, data, 2);
        assertTrue(second.resumeFrom(keep));
        assertEquals(8, second.step());
        assertEquals(20, second.run(s -> { }, () -> false, keep, 1e-9).steps());
        for (Param p : whole.model().params().all()) {
            assertArrayEquals(p.value().data, second.model().params().get(p.name()).value().data, p.name());
        }
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }
}
