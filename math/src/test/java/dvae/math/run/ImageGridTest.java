package dvae.math.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path tmp;

    @Test
    void writesADecodablePngWithEachImageInItsCell() throws Exception {
        int count = 5;
        int height = 3;
        int width = 4;
        float[] images = new float[count * height * width];
        for (int i = 0; i < images.length; i++) {
            images[i] = (i % 17) / 16f;
        }
        images[2] = 1.5f; // clamped to white
        images[3] = Float.NaN; // black
        Path png = tmp.resolve("plots/grid.png");
        ImageGrid.writePng(png, images, count, height, width, 3);

        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals(3 * (width + 1) + 1, read.getWidth());
        assertEquals(2 * (height + 1) + 1, read.getHeight());
        Raster raster = read.getRaster();
        assertEquals(1, raster.getNumBands());
        for (int n = 0; n < count; n++) {
            for (int[] yx : new int[][] {{0, 0}, {1, 2}, {2, 3}}) {
                int y = yx[0];
                int x = yx[1];
                int index = n * height * width + y * width + x;
                int expected = index == 2 ? 255 : index == 3 ? 0 : Math.round(images[index] * 255);
                int left = 1 + (n % 3) * (width + 1);
                int top = 1 + (n / 3) * (height + 1);
                assertEquals(expected, raster.getSample(left + x, top + y, 0), "image " + n + " at " + y + "," + x);
            }
        }
        assertEquals(255, raster.getSample(3, 1, 0));
        assertEquals(0, raster.getSample(4, 1, 0));
        assertEquals(ImageGrid.SEPARATOR, raster.getSample(0, 0, 0), "outer border");
        assertEquals(ImageGrid.SEPARATOR, raster.getSample(width + 1, 2, 0), "separator between columns");
        assertEquals(ImageGrid.SEPARATOR, raster.getSample(2, height + 1, 0), "separator between rows");
        assertEquals(ImageGrid.SEPARATOR, raster.getSample(read.getWidth() - 3, read.getHeight() - 3, 0),
                "the empty last cell");
    }

    @Test
    void refusesTooFewValuesAndEmptyShapes() {
        Path png = tmp.resolve("grid.png");
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.writePng(png, new float[11], 1, 3, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.writePng(png, new float[12], 1, 3, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.writePng(png, new float[12], 0, 3, 4, 1));
    }
}
