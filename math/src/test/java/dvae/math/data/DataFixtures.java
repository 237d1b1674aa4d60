package dvae.math.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntBinaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Small data files that the tests write themselves, and a fingerprint of a folder to prove it was left alone. */
final class DataFixtures {
    private DataFixtures() {
    }

    /** {@code count} 28x28 images whose grey level (0..255) at each pixel is {@code greyAt(image, pixel)}. */
    static byte[] greys(int count, IntBinaryOperator greyAt) {
        byte[] greys = new byte[count * Images.PIXELS];
        for (int n = 0; n < count; n++) {
            for (int p = 0; p < Images.PIXELS; p++) {
                greys[n * Images.PIXELS + p] = (byte) greyAt.applyAsInt(n, p);
            }
        }
        return greys;
    }

    /** An IDX image file's bytes with the given header fields and pixel bytes. */
    static byte[] idx(int magic, int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(magic).putInt(count).putInt(rows).putInt(cols)
                .put(pixels).array();
    }

    /** A well-formed IDX file of 28x28 images. */
    static byte[] idx(byte[] greys) {
        return idx(0x00000803, greys.length / Images.PIXELS, 28, 28, greys);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under {@code dir} (relative path to SHA-256 sum); empty when {@code dir} does not exist. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> sums = new TreeMap<>();
        if (!Files.exists(dir)) {
            return sums;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> sums.put(dir.relativize(f).toString(), Sha256.of(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sums;
    }
}
