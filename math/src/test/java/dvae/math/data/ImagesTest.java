package dvae.math.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.random.RandomStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImagesTest {
    @Test
    void binaryImagesFillTheRequestedRowsAsFloats() {
        byte[] bits = new byte[3 * Images.PIXELS];
        Arrays.fill(bits, Images.PIXELS, 2 * Images.PIXELS, (byte) 1); // image 1 is all ones
        bits[2 * Images.PIXELS + 5] = 1;
        BinaryImages images = new BinaryImages(bits);
        float[] batch = new float[2 * Images.PIXELS];
        images.fill(new int[] {2, 1}, batch);
        assertEquals(1f, batch[5]);
        assertEquals(0f, batch[6]);
        for (int p = 0; p < Images.PIXELS; p++) {
            assertEquals(1f, batch[Images.PIXELS + p]);
        }
        float[] range = new float[2 * Images.PIXELS];
        images.fillRange(1, 2, range);
        assertEquals(1f, range[0]);
        assertEquals(1f, range[Images.PIXELS + 5]);
        assertThrows(IndexOutOfBoundsException.class, () -> images.fill(new int[] {3}, batch));
        assertThrows(IndexOutOfBoundsException.class, () -> images.fillRange(2, 2, range));
    }

    @Test
    void binaryMeanPixelIsTheFractionOfOnes() {
        byte[] bits = new byte[4 * Images.PIXELS];
        bits[0] = 1;
        bits[Images.PIXELS] = 1;
        bits[2 * Images.PIXELS] = 1;
        bits[10] = 1;
        float[] mean = new BinaryImages(bits).meanPixel();
        assertEquals(0.75f, mean[0]);
        assertEquals(0.25f, mean[10]);
        assertEquals(0f, mean[11]);
    }

    @Test
    void binaryImagesRefuseValuesOtherThanZeroAndOne() {
        byte[] bits = new byte[Images.PIXELS];
        bits[3] = 2;
        assertThrows(IllegalArgumentException.class, () -> new BinaryImages(bits));
    }

    @Test
    void greyImagesAreBinarizedAfreshAtEveryDrawAtTheRateOfTheirGreyLevel() {
        int rows = 50;
        float[] greys = new float[rows * Images.PIXELS];
        for (int i = 0; i < greys.length; i++) {
            greys[i] = (i % Images.PIXELS) < 392 ? 0.2f : 0.9f;
        }
        greys[0] = 0f;
        greys[1] = 1f;
        GreyImages images = new GreyImages(greys);
        int[] all = new int[rows];
        Arrays.setAll(all, i -> i);
        float[] first = new float[rows * Images.PIXELS];
        float[] second = new float[rows * Images.PIXELS];
        RandomStream random = RandomStream.forPurpose(7, "test");
        images.fillBatch(all, first, random);
        images.fillBatch(all, second, random);
        assertFalse(Arrays.equals(first, second), "each draw binarizes anew");

        float[] again = new float[rows * Images.PIXELS];
        images.fillBatch(all, again, RandomStream.forPurpose(7, "test"));
        assertArrayEquals(first, again, "the same stream gives the same bits");

        double low = 0;
        double high = 0;
        for (int i = 0; i < first.length; i++) {
            assertTrue(first[i] == 0f || first[i] == 1f, "pixels are 0 or 1");
            if (i % Images.PIXELS >= 2) {
                if (i % Images.PIXELS < 392) {
                    low += first[i];
                } else {
                    high += first[i];
                }
            }
        }
        assertEquals(0.2, low / (rows * 390), 0.01);
        assertEquals(0.9, high / (rows * 392), 0.01);
        assertEquals(0f, first[0]);
        assertEquals(1f, first[1]);
    }

    @Test
    void greyImagesBinarizedOnceAreReproducibleFromTheSeed() {
        float[] greys = new float[5 * Images.PIXELS];
        Arrays.fill(greys, 0.5f);
        GreyImages images = new GreyImages(greys);
        BinaryImages a = images.binarizeOnce(RandomStream.forPurpose(1, "valid"));
        BinaryImages b = images.binarizeOnce(RandomStream.forPurpose(1, "valid"));
        BinaryImages c = images.binarizeOnce(RandomStream.forPurpose(2, "valid"));
        assertArrayEquals(a.pixelBytes(), b.pixelBytes());
        assertFalse(Arrays.equals(a.pixelBytes(), c.pixelBytes()));
        assertEquals(0.5f, images.meanPixel()[100]);
    }

    @Test
    void greyImagesRefuseLevelsOutsideZeroToOne() {
        float[] greys = new float[Images.PIXELS];
        greys[0] = 255f;
        assertThrows(IllegalArgumentException.class, () -> new GreyImages(greys));
        greys[0] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> new GreyImages(greys));
    }
}
