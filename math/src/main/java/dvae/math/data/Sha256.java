package dvae.math.data;

import dvae.math.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 sums of files, in lower-case hex. */
final class Sha256 {
    private Sha256() {
    }

    static String of(Path file) {
        MessageDigest digest = newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream()); // the digest sees every byte on the way
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Throws a one-line error naming the file unless its SHA-256 sum is {@code expected}. */
    static void require(Path file, String expected, String whatToDo) {
        String actual = of(file);
        if (!actual.equals(expected)) {
            throw new BadInputException(file + ": SHA-256 checksum mismatch (expected " + expected + ", found "
                    + actual + "); " + whatToDo);
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
