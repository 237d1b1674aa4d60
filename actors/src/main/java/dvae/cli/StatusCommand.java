package dvae.cli;

import dvae.math.BadInputException;
import dvae.math.run.Checkpoint;
import dvae.math.run.Checkpoints;
import dvae.math.run.JsonFiles;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import dvae.math.run.RunLock;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dvae status --run DIR}: where a training run stands, read from its files alone (it may be training in another
 * process, or not at all): whether a process trains it, its last logged step, its checkpoints and validations, and
 * the command that comes next.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Where a training run stands: whether a process is training it, its last step, latest and "
                + "best checkpoints, its validations, and the command that comes next (continue it, or evaluate it).")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "The run directory.")
    Path run;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> status = status(run);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? Json.write(status) : text(status));
        out.flush();
        return 0;
    }

    /** The run's state as a map (the JSON output). */
    static Map<String, Object> status(Path dir) {
        RunDirectory run = RunDirectory.open(dir);
        Checkpoints checkpoints = run.checkpoints(Checkpoints.DEFAULT_KEEP_LAST);
        Checkpoint latest = checkpoints.latest().orElseThrow();
        TrainConfig training = JsonFiles.read(latest.file(Trainer.TRAIN_FILE), TrainConfig.class);
        List<Map<String, Object>> lines = Files.isRegularFile(run.metricsFile()) ? MetricsLog.read(run.metricsFile())
                : List.of();
        Map<String, Object> lastStep = null;
        List<Map<String, Object>> validations = new ArrayList<>();
        for (Map<String, Object> m : lines) {
            if (m.containsKey("loss") && !m.containsKey("event")) {
                lastStep = m;
            }
            if (m.containsKey("valid_loss")) {
                validations.add(m);
            }
        }
        Optional<String> holder = RunLock.holder(dir);
        long logged = lastStep == null ? 0 : ((Number) lastStep.get("step")).longValue();
        boolean finished = latest.step() >= training.iterations();

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("run", dir.toString());
        s.put("model", latest.metadata().getOrDefault("model", "?"));
        s.put("engine", latest.metadata().getOrDefault("engine", "?"));
        s.put("state", holder.isPresent() ? "training" : finished ? "finished" : "stopped");
        holder.ifPresent(h -> s.put("held_by", h));
        s.put("iterations", training.iterations());
        s.put("last_logged_step", logged);
        if (lastStep != null) {
            s.put("last_loss", lastStep.get("loss"));
            s.put("steps_per_s", lastStep.get("steps_per_s"));
            if (lastStep.get("steps_per_s") instanceof Number rate && rate.doubleValue() > 0 && logged < training
                    .iterations()) {
                // Validations left, at the mean time the last few took (their NLL, most of it).
                long left = training.iterations() / training.validEvery() - logged / training.validEvery()
                        + (training.iterations() % training.validEvery() == 0 ? 0 : 1);
                double validationSeconds = validations.stream().skip(Math.max(0, validations.size() - 5))
                        .mapToDouble(v -> v.get("valid_nll_seconds") instanceof Number n ? n.doubleValue() : 0)
                        .average().orElse(0);
                s.put("validations_left", left);
                s.put("eta_seconds", Math.round((training.iterations() - logged) / rate.doubleValue()
                        + left * validationSeconds));
            }
        }
        s.put("metrics_written_seconds_ago", secondsSince(run.metricsFile()));
        s.put("latest_checkpoint", checkpoint(latest));
        checkpoints.best().ifPresent(b -> s.put("best_checkpoint", checkpoint(b)));
        List<Map<String, Object>> shown = new ArrayList<>();
        for (Map<String, Object> v : validations) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (String key : List.of("step", "valid_loss", "valid_nll", "valid_nll_standard_error",
                    "valid_nll_minus_best", "valid_nll_minus_best_standard_error", "valid_nll_best_step")) {
                if (v.containsKey(key)) {
                    row.put(key, v.get(key));
                }
            }
            shown.add(row);
        }
        s.put("validations", shown);
        s.put("next", holder.isPresent() ? "wait, or stop it with Ctrl-C or SIGTERM (it writes a checkpoint)"
                : finished ? "run/dvae eval --run " + dir + " --checkpoint best"
                : "run/dvae train --resume " + dir);
        return s;
    }

    private static Map<String, Object> checkpoint(Checkpoint c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", c.step());
        if (c.score() != null) {
            m.put(c.score().metric(), c.score().value());
        }
        m.put("written_seconds_ago", secondsSince(c.dir()));
        return m;
    }

    private static long secondsSince(Path file) {
        try {
            if (!Files.exists(file)) {
                return -1;
            }
            Instant at = Files.getLastModifiedTime(file).toInstant();
            return Math.max(0, Duration.between(at, Instant.now()).toSeconds());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the time of " + file + ": " + e.getMessage(), e);
        }
    }

    /** A few lines for the terminal. */
    static String text(Map<String, Object> s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: %s, engine %s, %s%s%n", s.get("run"), s.get("model"), s.get("engine"),
                s.get("state"), s.containsKey("held_by") ? " (" + s.get("held_by") + ")" : ""));
        long iterations = ((Number) s.get("iterations")).longValue();
        long logged = ((Number) s.get("last_logged_step")).longValue();
        b.append(String.format(Locale.ROOT, "step %,d of %,d (%.1f%%)", logged, iterations, 100.0 * logged / iterations));
        if (s.containsKey("last_loss")) {
            b.append(String.format(Locale.ROOT, ", loss %.2f, %.1f steps/s", ((Number) s.get("last_loss"))
                    .doubleValue(), ((Number) s.get("steps_per_s")).doubleValue()));
        }
        if ("training".equals(s.get("state")) && s.containsKey("eta_seconds")) {
            long left = ((Number) s.get("validations_left")).longValue();
            b.append(", ETA ").append(ago(s.get("eta_seconds"))).append(" (with ").append(left)
                    .append(left == 1 ? " validation)" : " validations)");
        }
        b.append(String.format(Locale.ROOT, ", metrics written %s ago%n", ago(s.get("metrics_written_seconds_ago"))));
        b.append("latest checkpoint: ").append(checkpointText(s.get("latest_checkpoint"))).append('\n');
        if (s.containsKey("best_checkpoint")) {
            b.append("best checkpoint: ").append(checkpointText(s.get("best_checkpoint"))).append('\n');
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> validations = (List<Map<String, Object>>) s.get("validations");
        if (!validations.isEmpty()) {
            b.append("validations (step: ");
            b.append(validations.get(0).containsKey("valid_nll") ? "NLL ± s.e." : "bound").append("):");
            for (Map<String, Object> v : validations) {
                b.append(String.format(Locale.ROOT, " %,d: ", ((Number) v.get("step")).longValue()));
                b.append(v.containsKey("valid_nll") ? String.format(Locale.ROOT, "%.2f%s", number(v, "valid_nll"),
                        v.containsKey("valid_nll_standard_error") ? String.format(Locale.ROOT, " ± %.2f",
                                number(v, "valid_nll_standard_error")) : "")
                        : String.format(Locale.ROOT, "%.2f", number(v, "valid_loss")));
                if (v.containsKey("valid_nll_minus_best_standard_error")) {
                    b.append(String.format(Locale.ROOT, " (%+.2f ± %.2f against %,d, paired)",
                            number(v, "valid_nll_minus_best"), number(v, "valid_nll_minus_best_standard_error"),
                            ((Number) v.get("valid_nll_best_step")).longValue()));
                }
                b.append(';');
            }
            b.setLength(b.length() - 1);
            b.append('\n');
        }
        b.append("next: ").append(s.get("next"));
        return b.toString();
    }

    private static double number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static String checkpointText(Object checkpoint) {
        Map<String, Object> c = (Map<String, Object>) checkpoint;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "step %,d", ((Number) c.get("step")).longValue()));
        c.forEach((k, v) -> {
            if (!k.equals("step") && !k.equals("written_seconds_ago")) {
                b.append(String.format(Locale.ROOT, ", %s %.3f", k, ((Number) v).doubleValue()));
            }
        });
        return b.append(", written ").append(ago(c.get("written_seconds_ago"))).append(" ago").toString();
    }

    private static String ago(Object seconds) {
        long s = ((Number) seconds).longValue();
        if (s < 0) {
            return "never";
        }
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h " + s % 3600 / 60 + " min";
    }
}
