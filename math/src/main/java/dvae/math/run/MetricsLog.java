package dvae.math.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dvae.math.BadInputException;
import dvae.math.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The metrics of a run, {@code metrics.jsonl}: one JSON object per line, each with an integer {@code "step"}. Each
 * line goes to the operating system in a single write as soon as it is logged, so a crash loses at most the line
 * being written; readers drop such a torn last line (anything after the last newline).
 *
 * <p>Entries are maps or records (records in snake_case). A resumed run first drops the entries logged after its
 * checkpoint's step, so its log continues without duplicates: the convention is that the entries of step S are
 * logged before the checkpoint of step S is written.
 */
public final class MetricsLog implements Closeable {
    public static final String STEP = "step";
    private static final TypeReference<LinkedHashMap<String, Object>> ENTRY = new TypeReference<>() {
    };

    private final Path file;
    private final OutputStream out;

    private MetricsLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("opening " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file this appends to. */
    public Path file() {
        return file;
    }

    /** Appends to {@code file}, creating it if needed. */
    public static MetricsLog append(Path file) {
        return new MetricsLog(file);
    }

    /** Drops the entries after {@code step} (and a torn last line), then appends. */
    public static MetricsLog resume(Path file, long step) {
        if (Files.exists(file)) {
            StringBuilder kept = new StringBuilder();
            scan(file, (entryStep, entry, line) -> {
                if (entryStep <= step) {
                    kept.append(line).append('\n');
                }
            });
            AtomicFiles.writeString(file, kept.toString());
        }
        return new MetricsLog(file);
    }

    /** Logs one entry: a map or a record with an integer {@code step}. */
    public void write(Object entry) {
        JsonNode node = JsonFiles.MAPPER.valueToTree(entry);
        if (!(node instanceof ObjectNode) || !node.path(STEP).isIntegralNumber()) {
            throw new IllegalArgumentException("a metrics entry must be an object with an integer '" + STEP
                    + "': " + node);
        }
        byte[] line;
        try {
            line = (JsonFiles.MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metrics entry cannot be written as JSON: " + node, e);
        }
        try {
            out.write(line); // unbuffered: one write per line
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every complete entry of {@code file}, in order. */
    public static List<Map<String, Object>> read(Path file) {
        List<Map<String, Object>> entries = new ArrayList<>();
        scan(file, (step, entry, line) -> entries.add(entry));
        return entries;
    }

    /**
     * For each key, its series step → value over the entries of {@code file}, for plots. Entries where the key is
     * missing or not a finite number (a skipped non-finite step logs {@code "NaN"}) are left out.
     */
    public static Map<String, NavigableMap<Long, Double>> series(Path file, String... keys) {
        Map<String, NavigableMap<Long, Double>> series = new LinkedHashMap<>();
        for (String key : keys) {
            series.put(key, new TreeMap<>());
        }
        scan(file, (step, entry, line) -> {
            for (String key : keys) {
                if (entry.get(key) instanceof Number n && Double.isFinite(n.doubleValue())) {
                    series.get(key).put(step, n.doubleValue());
                }
            }
        });
        return series;
    }

    /**
     * The validation losses on the training loss's basis, so that the two can share a plot: {@code valid_loss} less
     * the prior's log Z it carries, the validation's own AIS estimate ({@code valid_prior_log_z}) or, in lines written
     * before validations had one, the prior sampler's running estimate logged at that step ({@code prior_log_z}); a
     * validation with neither is left out. A run that logs no log Z at all (structured prediction: no prior) keeps
     * its {@code valid_loss} as it is.
     */
    public static NavigableMap<Long, Double> validLossWithoutLogZ(Path file) {
        Map<String, NavigableMap<Long, Double>> s = series(file, "valid_loss", "valid_prior_log_z", "prior_log_z");
        NavigableMap<Long, Double> validLogZ = s.get("valid_prior_log_z");
        NavigableMap<Long, Double> runningLogZ = s.get("prior_log_z");
        boolean hasPrior = !validLogZ.isEmpty() || !runningLogZ.isEmpty();
        NavigableMap<Long, Double> out = new TreeMap<>();
        s.get("valid_loss").forEach((step, loss) -> {
            Double logZ = validLogZ.containsKey(step) ? validLogZ.get(step) : runningLogZ.get(step);
            if (!hasPrior) {
                out.put(step, loss);
            } else if (logZ != null) {
                out.put(step, loss - logZ);
            }
        });
        return out;
    }

    private interface EntryVisitor {
        void visit(long step, Map<String, Object> entry, String line);
    }

    /**
     * Streams the newline-terminated lines of {@code file}; what follows the last newline is a line still being
     * written (or torn by a crash) and is skipped. A damaged complete line is a one-line error naming the line.
     */
    private static void scan(Path file, EntryVisitor visitor) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long number = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, start, i - start);
                        visit(file, ++number, line.toString(StandardCharsets.UTF_8), visitor);
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(buffer, start, n - start);
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static void visit(Path file, long number, String line, EntryVisitor visitor) {
        if (!line.isBlank()) {
            Map<String, Object> entry = parse(file, number, line);
            visitor.visit((Long) entry.get(STEP), entry, line);
        }
    }

    private static Map<String, Object> parse(Path file, long number, String line) {
        Map<String, Object> entry;
        try {
            entry = JsonFiles.MAPPER.readValue(line, ENTRY);
        } catch (IOException e) {
            throw new BadInputException(file + " line " + number + ": damaged entry ("
                    + JsonFiles.originalMessage(e) + ")");
        }
        Object step = entry == null ? null : entry.get(STEP);
        if (!(step instanceof Long)) {
            throw new BadInputException(file + " line " + number + ": entry has no integer '" + STEP + "'");
        }
        return entry;
    }
}
