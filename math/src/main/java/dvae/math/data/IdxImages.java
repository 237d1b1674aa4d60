package dvae.math.data;

import dvae.math.BadInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of IDX image files (LeCun's MNIST format: magic {@code 00 00 08 03}, then big-endian image count, rows and
 * columns, then one unsigned byte per pixel, row-major), plain or gzip-compressed (recognised by its magic bytes).
 */
public final class IdxImages {
    private static final int IMAGE_MAGIC = 0x00000803;

    private IdxImages() {
    }

    /**
     * The grey levels (0..255, as unsigned bytes) of the {@code expectedCount} 28 x 28 images in {@code file}. Any
     * other shape, a short or over-long file, or corrupt compression is a one-line error naming the file.
     */
    public static byte[] read(Path file, int expectedCount) {
        try (DataInputStream in = new DataInputStream(open(file))) {
            int magic = in.readInt();
            if (magic != IMAGE_MAGIC) {
                throw new BadInputException(file + ": not an IDX image file (magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x00000803)");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows != Images.SIDE || cols != Images.SIDE) {
                throw new BadInputException(file + ": images are " + rows + "x" + cols + ", expected 28x28");
            }
            if (count != expectedCount) {
                throw new BadInputException(file + ": holds " + count + " images, expected " + expectedCount);
            }
            byte[] greys = new byte[count * Images.PIXELS];
            int got = in.readNBytes(greys, 0, greys.length);
            if (got < greys.length) {
                throw new BadInputException(file + ": truncated: " + count + " images need " + greys.length
                        + " pixel bytes, found " + got);
            }
            if (in.read() != -1) {
                throw new BadInputException(file + ": bytes past the end of the " + count + " images");
            }
            return greys;
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (EOFException e) {
            throw new BadInputException(file + ": truncated (the data ends early)");
        } catch (ZipException e) {
            throw new BadInputException(file + ": corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }
}
