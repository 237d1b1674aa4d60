package dvae.math.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dvae.math.io.AtomicFiles;
import dvae.math.run.RunLock;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An evaluation's results as they arrive, one JSON line each, so that an interrupted evaluation continues where it
 * stopped: first the identity of the evaluation (checkpoint, split, settings, examples), then the prior's log Z,
 * then one line per finished example in completion order. A file written for another identity is started afresh;
 * a last line cut short by the interruption is dropped. Values are written with Java's shortest round-trip decimal
 * form, so a resumed evaluation sums exactly the same doubles as an uninterrupted one.
 */
public final class PartialResults implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartialResults.class);
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** One line: exactly one field is set. */
    record Line(Map<String, String> identity, Evaluation.PriorLogZ prior, Evaluation.ExampleResult example) {
    }

    private final Path file;
    private final RunLock lock;
    private final Evaluation.PriorLogZ prior;
    private final List<Evaluation.ExampleResult> examples;
    private final BufferedWriter out;

    private PartialResults(Path file, RunLock lock, Evaluation.PriorLogZ prior,
                           List<Evaluation.ExampleResult> examples, BufferedWriter out) {
        this.file = file;
        this.lock = lock;
        this.prior = prior;
        this.examples = examples;
        this.out = out;
    }

    /**
     * Opens {@code file} for an evaluation with this identity: keeps what an earlier run of the same evaluation wrote
     * (rewriting the file without a cut-off last line), or starts it afresh. Another process evaluating into the
     * same file (its lock, {@code FILE.lock}, held) is refused in one line.
     */
    public static PartialResults open(Path file, Map<String, ?> identity) {
        RunLock lock = RunLock.onFile(file.resolveSibling(file.getFileName() + ".lock"), file);
        try {
            return open(file, identity, lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static PartialResults open(Path file, Map<String, ?> identity, RunLock lock) {
        Map<String, String> id = new LinkedHashMap<>();
        identity.forEach((k, v) -> id.put(k, String.valueOf(v)));
        List<Line> kept = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            kept = readValidLines(file);
            if (kept.isEmpty() || !id.equals(kept.get(0).identity())) {
                if (!kept.isEmpty()) {
                    LOG.warn("{} holds results of another evaluation (other checkpoint, settings or examples); "
                            + "starting afresh", file);
                }
                kept = new ArrayList<>();
            }
        }
        if (kept.isEmpty()) {
            kept.add(new Line(id, null, null));
        }
        StringBuilder text = new StringBuilder();
        Evaluation.PriorLogZ prior = null;
        List<Evaluation.ExampleResult> examples = new ArrayList<>();
        for (Line line : kept) {
            text.append(toJson(line)).append('\n');
            if (line.prior() != null) {
                prior = line.prior();
            }
            if (line.example() != null) {
                examples.add(line.example());
            }
        }
        AtomicFiles.writeString(file, text.toString());
        try {
            BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            return new PartialResults(file, lock, prior, examples, out);
        } catch (IOException e) {
            throw new UncheckedIOException("opening " + file + " for appending: " + e.getMessage(), e);
        }
    }

    /** The lines that parse, up to the first that does not (a write cut short). */
    private static List<Line> readValidLines(Path file) {
        List<Line> lines = new ArrayList<>();
        try {
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Line line;
                try {
                    line = MAPPER.readValue(text, Line.class);
                } catch (JsonProcessingException e) {
                    break;
                }
                if (line == null || (lines.isEmpty() != (line.identity() != null))) {
                    break;
                }
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        return lines;
    }

    private static String toJson(Line line) {
        try {
            return MAPPER.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("records of numbers and strings always serialize", e);
        }
    }

    public Optional<Evaluation.PriorLogZ> prior() {
        return Optional.ofNullable(prior);
    }

    /** The examples finished by earlier runs. */
    public List<Evaluation.ExampleResult> examples() {
        return examples;
    }

    public synchronized void append(Evaluation.PriorLogZ prior) {
        write(new Line(null, prior, null));
    }

    public synchronized void append(Evaluation.ExampleResult example) {
        write(new Line(null, null, example));
    }

    private void write(Line line) {
        try {
            out.write(toJson(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("appending to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + file + ": " + e.getMessage(), e);
        } finally {
            lock.close();
        }
    }
}
