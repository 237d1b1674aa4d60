package dvae.math.run;

import dvae.math.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * A PNG of grey images (samples, reconstructions) laid out in a grid, row-major, with 1-pixel separators between
 * and around the cells. Values in [0, 1] map to grey levels 0 (black) to 255 (white); values outside are clamped
 * and NaN shows black. Separators and empty cells are mid-grey.
 */
public final class ImageGrid {
    static final int SEPARATOR = 128;

    private ImageGrid() {
    }

    /**
     * Writes {@code count} images of {@code height x width} pixels, stored one after another row-major in
     * {@code images}, in rows of {@code columns}. The PNG is {@code columns * (width + 1) + 1} pixels wide and
     * {@code rows * (height + 1) + 1} high, with {@code rows = ceil(count / columns)}.
     */
    public static void writePng(Path png, float[] images, int count, int height, int width, int columns) {
        BufferedImage image = render(images, count, height, width, columns);
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }

    static BufferedImage render(float[] images, int count, int height, int width, int columns) {
        if (count < 1 || height < 1 || width < 1 || columns < 1) {
            throw new IllegalArgumentException("image grid needs positive count, height, width and columns; got "
                    + count + ", " + height + ", " + width + ", " + columns);
        }
        if ((long) count * height * width > images.length) {
            throw new IllegalArgumentException(count + " images of " + height + "x" + width + " need "
                    + (long) count * height * width + " values, got " + images.length);
        }
        int rows = (count + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * (width + 1) + 1, rows * (height + 1) + 1,
                BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        int[] background = new int[image.getWidth() * image.getHeight()];
        Arrays.fill(background, SEPARATOR);
        raster.setSamples(0, 0, image.getWidth(), image.getHeight(), 0, background);
        int[] cell = new int[height * width];
        for (int n = 0; n < count; n++) {
            int offset = n * height * width;
            for (int p = 0; p < cell.length; p++) {
                cell[p] = grey(images[offset + p]);
            }
            int left = 1 + (n % columns) * (width + 1);
            int top = 1 + (n / columns) * (height + 1);
            raster.setSamples(left, top, width, height, 0, cell);
        }
        return image;
    }

    private static int grey(float value) {
        float clamped = value >= 1 ? 1 : value > 0 ? value : 0; // NaN fails both tests: black
        return Math.round(clamped * 255);
    }
}
