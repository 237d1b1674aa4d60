package dvae.math.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.autodiff.Tape;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.model.ModelConfig.RelaxationKind;
import dvae.math.nn.BatchNorm;
import dvae.math.nn.Mode;
import dvae.math.random.RandomStream;
import dvae.math.tensor.Matrix;
import org.junit.jupiter.api.Test;

class DecoderTest {
    @Test
    void theFoldedDecodersLogitsPlusItsOutputBiasAreTheTapesEvalLogitsWithTheDataOffset() {
        for (ObjectiveKind objective : new ObjectiveKind[] {ObjectiveKind.ELBO, ObjectiveKind.STRUCT}) {
            ModelConfig config = new ModelConfig(8, PosteriorKind.DIRECTED, 1, RelaxationKind.PWL, 4, true, 10, 30,
                    objective, 1, 10, 1, 1.5, true, new int[] {7}, new int[] {9, 6}, BatchNorm.Config.DEFAULT, 12);
            RandomStream rng = new RandomStream(2);
            float[] meanPixel = new float[12];
            for (int i = 0; i < meanPixel.length; i++) {
                meanPixel[i] = (float) rng.nextDouble(); // offsets far from zero, some clipped
            }
            meanPixel[0] = 0f;
            ParamSet params = new ParamSet();
            Decoder decoder = new Decoder(params, config, meanPixel, rng);
            for (Param p : params.all()) { // batch-norm statistics and biases away from their initial values
                for (int i = 0; i < p.value().data.length; i++) {
                    p.value().data[i] += (float) (p.name().endsWith("variance") ? 0.5 + rng.nextFloat()
                            : 0.3 * rng.nextGaussian());
                }
            }
            Matrix z = new Matrix(5, 8);
            for (int i = 0; i < z.data.length; i++) {
                z.data[i] = rng.nextDouble() < 0.5 ? 1f : 0f;
            }
            float[] expected = decoder.logits(Tape.inference().constant(z), Mode.EVAL).value().data;
            Decoder.Folded folded = decoder.folded();
            int predicted = config.predictedPixels();
            float[] logits = folded.logitsWithoutBias(z, 0, 5);
            assertEquals(5 * predicted, logits.length);
            for (int i = 0; i < expected.length; i++) {
                float actual = logits[i] + folded.outputBias()[i % predicted];
                assertEquals(expected[i], actual, 1e-5 * (1 + Math.abs(expected[i])), objective + " element " + i);
            }
        }
    }
}
