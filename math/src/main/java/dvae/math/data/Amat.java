package dvae.math.data;

import dvae.math.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reader of Larochelle's binarized MNIST, {@code binarized_mnist_{train,valid,test}.amat}: text, one image per line,
 * 784 values 0 or 1 separated by blanks. The files are the binarization; nothing is re-binarized.
 */
public final class Amat {
    private Amat() {
    }

    public static Dataset read(Path dir, SplitSizes split) {
        return new Dataset("mnist-amat", readFile(file(dir, "train"), split.train()),
                readFile(file(dir, "valid"), split.valid()), readFile(file(dir, "test"), split.test()),
                "fixed by the files (Larochelle's binarization)", dir.toString(), Optional.empty());
    }

    static Path file(Path dir, String split) {
        return dir.resolve("binarized_mnist_" + split + ".amat");
    }

    /** The {@code expectedRows} images of one file; any other count or any value but 0 and 1 is an error. */
    static BinaryImages readFile(Path file, int expectedRows) {
        byte[] pixels = new byte[expectedRows * Images.PIXELS];
        int rows = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            int lineNumber = 0;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                if (rows == expectedRows) {
                    throw new BadInputException(file + ": more than the expected " + expectedRows + " images (line "
                            + lineNumber + ")");
                }
                parseLine(file, lineNumber, line, pixels, rows * Images.PIXELS);
                rows++;
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file (Larochelle's binarized MNIST; set dvae.data.amat-dir)");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + Text.oneLine(e.getMessage()) + ")");
        }
        if (rows != expectedRows) {
            throw new BadInputException(file + ": holds " + rows + " images, expected " + expectedRows);
        }
        return new BinaryImages(pixels);
    }

    private static void parseLine(Path file, int lineNumber, String line, byte[] pixels, int offset) {
        String[] values = line.trim().split("\\s+");
        if (values.length != Images.PIXELS) {
            throw new BadInputException(file + ": line " + lineNumber + " has " + values.length + " values, expected "
                    + Images.PIXELS);
        }
        for (int k = 0; k < Images.PIXELS; k++) {
            pixels[offset + k] = bit(file, lineNumber, values[k]);
        }
    }

    private static byte bit(Path file, int lineNumber, String value) {
        if (value.equals("0") || value.equals("1")) {
            return (byte) (value.charAt(0) - '0');
        }
        try {
            double d = Double.parseDouble(value); // tolerates 0.0 and 1.0
            if (d == 0 || d == 1) {
                return (byte) d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadInputException(file + ": line " + lineNumber + " holds '" + value + "', expected 0 or 1");
    }
}
