package dvae.math.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dvae.math.BadInputException;
import dvae.math.autodiff.Param;
import dvae.math.autodiff.ParamSet;
import dvae.math.optim.Adam;
import dvae.math.tensor.Matrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Saves and loads a {@link ParamSet} (and optionally an {@link Adam}'s state) as a folder: one {@code .npy} file per
 * tensor, readable by {@code numpy.load}, plus {@code manifest.json} naming each tensor's file, role and shape.
 *
 * <p>Saving is atomic: everything is written into a temporary sibling folder, which is then renamed to the target (an
 * existing target is first renamed aside and deleted afterwards), so a crash leaves either the old folder or the
 * complete new one. Loading checks every file against the manifest and the manifest against the model before it
 * changes anything, and reports a mismatch as a one-line {@link BadInputException} naming the file.
 */
public final class ParamStore {
    public static final String MANIFEST = "manifest.json";
    static final String FORMAT = "dvae-params";
    static final int VERSION = 1;
    private static final String DTYPE = "<f4";
    private static final String ADAM_M = "adam_m";
    private static final String ADAM_V = "adam_v";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ParamStore() {
    }

    /** The manifest: format tag and version, Adam's step count when its state is included, and the tensors. */
    public record Manifest(String format, int version, Long adamSteps, List<Entry> tensors) {
    }

    /** One tensor: its name in the model, its file in the folder, its role and its shape (rows, cols). */
    public record Entry(String name, String file, String role, String dtype, int[] shape) {
    }

    /** A tensor of the model with the manifest entry that describes it. */
    private record Stored(Entry entry, Matrix value) {
    }

    public static void save(Path dir, ParamSet params) {
        save(dir, params, null);
    }

    /** Writes params and, when adam is not null, its moments and step count, replacing dir atomically. */
    public static void save(Path dir, ParamSet params, Adam adam) {
        List<Stored> tensors = tensorsOf(params, adam);
        Path target = dir.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = AtomicFiles.publicReadable(Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-"));
            for (Stored t : tensors) {
                Npy.writeFloats(tmp.resolve(t.entry().file()), t.entry().shape(), t.value().data);
            }
            Manifest manifest = new Manifest(FORMAT, VERSION, adam == null ? null : adam.steps(),
                    tensors.stream().map(Stored::entry).toList());
            AtomicFiles.writeString(tmp.resolve(MANIFEST), JSON.writeValueAsString(manifest));
            replace(target, tmp);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("saving parameters to " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                FileTrees.deleteQuietly(tmp);
            }
        }
    }

    public static void load(Path dir, ParamSet params) {
        load(dir, params, null);
    }

    /**
     * Reads dir into params and, when adam is not null, into adam. The folder must hold exactly the tensors that params
     * (and adam) have, with the same shapes and roles; nothing is changed unless all of it checks out. Without adam, a
     * checkpoint's optimizer state is skipped, so training checkpoints load for evaluation.
     */
    public static void load(Path dir, ParamSet params, Adam adam) {
        Path manifestFile = dir.resolve(MANIFEST);
        Manifest manifest = readManifest(manifestFile);
        Map<String, Entry> byName = new HashMap<>();
        for (Entry e : manifest.tensors()) {
            if (adam == null && (ADAM_M.equals(e.role()) || ADAM_V.equals(e.role()))) {
                continue;
            }
            if (byName.put(e.name(), e) != null) {
                throw new BadInputException(manifestFile + ": tensor '" + e.name() + "' is listed twice");
            }
        }
        List<Stored> wanted = tensorsOf(params, adam);
        List<float[]> loaded = new ArrayList<>();
        for (Stored w : wanted) {
            Entry found = byName.remove(w.entry().name());
            if (found == null) {
                throw new BadInputException(manifestFile + ": no tensor '" + w.entry().name() + "', which the model has");
            }
            loaded.add(readTensor(dir, found, w.entry()));
        }
        if (!byName.isEmpty()) {
            throw new BadInputException(manifestFile + ": tensor '" + byName.keySet().iterator().next()
                    + "' is not in the model");
        }
        if (adam != null && manifest.adamSteps() == null) {
            throw new BadInputException(manifestFile + ": no Adam state (adamSteps), but an optimizer was given");
        }
        for (int i = 0; i < wanted.size(); i++) {
            float[] values = loaded.get(i);
            System.arraycopy(values, 0, wanted.get(i).value().data, 0, values.length);
        }
        if (adam != null) {
            adam.restoreSteps(manifest.adamSteps());
        }
    }

    /** Every tensor to store with its manifest entry, in a stable order: parameters, then Adam's moments. */
    private static List<Stored> tensorsOf(ParamSet params, Adam adam) {
        List<Stored> out = new ArrayList<>();
        Set<String> files = new HashSet<>();
        for (Param p : params.all()) {
            put(out, files, p.name(), p.role().key(), p.value());
        }
        if (adam != null) {
            for (Param p : params.trainable()) {
                put(out, files, "adam/m/" + p.name(), ADAM_M, adam.firstMoment(p));
                put(out, files, "adam/v/" + p.name(), ADAM_V, adam.secondMoment(p));
            }
        }
        return out;
    }

    private static void put(List<Stored> out, Set<String> files, String name, String role, Matrix m) {
        String file = name.replaceAll("[^A-Za-z0-9_.-]", ".") + ".npy"; // "dec/hidden0/bn/gamma" -> dec.hidden0.bn.gamma.npy
        if (!files.add(file)) {
            throw new IllegalArgumentException("two tensor names map to the same file " + file + " (" + name + ")");
        }
        out.add(new Stored(new Entry(name, file, role, DTYPE, new int[] {m.rows, m.cols}), m));
    }

    private static Manifest readManifest(Path file) {
        Manifest m;
        try {
            m = JSON.readValue(Files.readAllBytes(file), Manifest.class);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file (not a saved parameter folder?)");
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + ": not a parameter manifest (" + e.getOriginalMessage().lines().findFirst()
                    .orElse("") + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (!FORMAT.equals(m.format()) || m.version() != VERSION || m.tensors() == null) {
            throw new BadInputException(file + ": expected format " + FORMAT + " version " + VERSION + ", found "
                    + m.format() + " version " + m.version());
        }
        return m;
    }

    /** The values of one tensor after checking the file against its manifest entry and the entry against the model. */
    private static float[] readTensor(Path dir, Entry found, Entry expected) {
        if (found.file() == null || !found.file().matches("[A-Za-z0-9_.-]+\\.npy")) {
            throw new BadInputException(dir.resolve(MANIFEST) + ": tensor '" + found.name() + "' has a bad file name '"
                    + found.file() + "'");
        }
        Path file = dir.resolve(found.file());
        if (!expected.role().equals(found.role())) {
            throw new BadInputException(file + ": tensor '" + found.name() + "' has role " + found.role()
                    + " but the model's is " + expected.role());
        }
        if (!Arrays.equals(expected.shape(), found.shape())) {
            throw new BadInputException(file + ": manifest shape " + Arrays.toString(found.shape()) + " for '"
                    + found.name() + "' but the model's is " + Arrays.toString(expected.shape()));
        }
        Npy.Array array = Npy.read(file);
        if (!DTYPE.equals(array.descr()) || !DTYPE.equals(found.dtype())) {
            throw new BadInputException(file + ": dtype " + array.descr() + " (manifest " + found.dtype()
                    + "), expected " + DTYPE);
        }
        if (!Arrays.equals(array.shape(), found.shape())) {
            throw new BadInputException(file + ": shape " + Arrays.toString(array.shape())
                    + " does not match the manifest's " + Arrays.toString(found.shape()));
        }
        return array.asFloats();
    }

    /** Moves the complete folder tmp to target, replacing any old target. */
    private static void replace(Path target, Path tmp) throws IOException {
        Path aside = null;
        if (Files.exists(target)) {
            aside = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, aside);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        }
        if (aside != null) {
            FileTrees.deleteQuietly(aside); // a leftover hidden folder does no harm to the saved parameters
        }
    }

}
