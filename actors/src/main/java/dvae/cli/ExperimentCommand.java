package dvae.cli;

import com.typesafe.config.ConfigRenderOptions;
import dvae.math.BadInputException;
import dvae.math.data.DatasetKind;
import dvae.math.io.AtomicFiles;
import dvae.math.io.FileTrees;
import dvae.math.run.RunLock;
import dvae.math.util.Progress;
import dvae.math.util.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dvae experiment NAME}: runs one of the paper's experiments at a budget and writes result.json, table.md and
 * PNG figures into a results directory; with {@code --json} it also prints the summary as one JSON object.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run one of the paper's experiments; writes result.json, table.md and PNG figures.")
final class ExperimentCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settingsOptions;

    @Parameters(index = "0", paramLabel = "NAME", completionCandidates = Experiments.Names.class,
            description = "One of ${COMPLETION-CANDIDATES}.")
    String name;

    @Option(names = "--budget", paramLabel = "quick|paper", defaultValue = "quick",
            description = "quick: a reduced protocol that runs in minutes; paper: the paper's "
                    + "(default ${DEFAULT-VALUE}).")
    String budget;

    @Option(names = "--seeds", paramLabel = "N",
            description = "Independent runs (default: setting dvae.experiment.NAME.seeds.BUDGET).")
    Integer seeds;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "Data set to train and evaluate on, one of mnist, fashion-mnist, omniglot, mnist-amat "
                    + "(default: setting dvae.data.dataset).")
    String dataset;

    @Option(names = "--out", paramLabel = "DIR", description = "Results directory (default: results/NAME).")
    Path out;

    @Option(names = "--force", description = "Overwrite a results directory that is not empty.")
    boolean force;

    @Option(names = "--resume", description = "Continue an interrupted experiment in its results directory with the "
            + "command line that started it: the tables (table1, 2, 3, 5, 6, 7) and the toys read back every run "
            + "that finished instead of running it again, and the tables, fig4 and modes continue the training a "
            + "Ctrl-C stopped from its checkpoint.")
    boolean resume;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    /** The results directory's folder for finished runs and runs under way, and the file naming what started them. */
    private static final String PROGRESS_DIR = "progress";
    private static final String STARTED_FILE = "started.json";

    private CommandSpec spec;

    /** Lists every experiment with what it is under the help's usage. */
    @Spec
    void describeExperiments(CommandSpec spec) {
        this.spec = spec;
        spec.usageMessage().footer(Experiments.ALL.stream()
                .map(e -> String.format("  %-14s %s", e.name(), e.description()))
                .collect(Collectors.joining("%n", "%nExperiments:%n", "")));
    }

    @Override
    public Integer call() {
        Experiment experiment = Experiments.find(name);
        Budget chosen = Budget.parse(budget);
        if (dataset != null) {
            if (!experiment.usesDataset()) {
                throw new BadInputException("--dataset does not apply to " + name + ": it makes its own target");
            }
            settingsOptions.sets.add("dvae.data.dataset=" + DatasetKind.parse(dataset).id());
        }
        Settings settings = settingsOptions.load();
        if (seeds != null && seeds < 1) {
            throw new BadInputException("--seeds must be at least 1, got " + seeds);
        }
        int runs = seeds != null ? seeds : experiment.defaultSeeds(chosen, settings);
        Path dir = out != null ? out : Path.of("results", experiment.name());
        Path progress = dir.resolve(PROGRESS_DIR);
        Path startedFile = progress.resolve(STARTED_FILE);
        Map<String, Object> startedWith = new LinkedHashMap<>(); // in this order, so that equal means the same
        startedWith.put("experiment", experiment.name());
        startedWith.put("budget", chosen.id());
        startedWith.put("seeds", runs);
        startedWith.put("settings",
                settings.config().withOnlyPath("dvae").root().render(ConfigRenderOptions.concise()));
        String started = Json.write(startedWith);
        if (resume) {
            requireResumable(dir, startedFile, started);
        } else {
            requireWritable(dir);
        }
        RunLock lock = RunLock.acquire(dir); // before --force deletes what another process may be writing
        try {
            return runLocked(experiment, chosen, runs, settings, dir, progress, startedFile, started);
        } finally {
            lock.close();
        }
    }

    private Integer runLocked(Experiment experiment, Budget chosen, int runs, Settings settings, Path dir,
                              Path progress, Path startedFile, String started) {
        if (!resume) {
            try {
                FileTrees.delete(progress); // what --force overwrites
            } catch (IOException e) {
                throw new UncheckedIOException("deleting " + progress + ": " + e.getMessage(), e);
            }
            AtomicFiles.writeString(startedFile, started);
        }
        AtomicBoolean stop = new AtomicBoolean();
        StopOnSignal signal = StopOnSignal.install(() -> stop.set(true));
        if (signal == null) {
            System.err.println(experiment.name() + " stopped before it began");
            return Main.EXIT_FAILURE;
        }
        try (signal) {
            Experiment.Report report;
            try {
                report = experiment.run(chosen, runs, settings, onStderr(experiment.name()),
                        ExperimentProgress.in(progress, stop::get));
            } catch (TrainingRuns.Stopped e) {
                System.err.println("\n" + experiment.name() + " " + e.getMessage() + "; continue with the same command "
                        + "and --resume");
                return Main.EXIT_FAILURE;
            }
            write(dir, report);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(json ? Json.write(report.summary()) : report.table() + "\nwritten to " + dir);
            stdout.flush();
            return 0;
        }
    }

    /** Refuses to resume anything but an experiment started in {@code dir} with the same command line. */
    private void requireResumable(Path dir, Path startedFile, String started) {
        if (force) {
            throw new BadInputException("--resume continues the experiment in " + dir + "; --force would start it "
                    + "afresh: give one of them");
        }
        if (!Files.isRegularFile(startedFile)) {
            throw new BadInputException("results directory " + dir + " holds no experiment to resume (no "
                    + startedFile + ")");
        }
        try {
            if (!Files.readString(startedFile).equals(started)) {
                throw new BadInputException("results directory " + dir + " holds an experiment started with other "
                        + "settings, budget or seeds: resume it with the command line that started it, or give "
                        + "another --out");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Refuses a results directory that holds anything, unless --force. */
    private void requireWritable(Path dir) {
        if (force || !Files.isDirectory(dir)) {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new BadInputException("results directory " + dir + " is a file");
            }
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.anyMatch(entry -> !entry.getFileName().toString().equals(RunLock.FILE))) {
                throw new BadInputException("results directory " + dir + " is not empty; pass --force to overwrite "
                        + "it, --resume to continue the experiment it holds, or --out DIR for another");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path dir, Experiment.Report report) {
        Map<String, Object> result = new LinkedHashMap<>(report.summary());
        result.putAll(report.details());
        AtomicFiles.writeString(dir.resolve("result.json"), Json.write(result) + "\n");
        AtomicFiles.writeString(dir.resolve("table.md"), report.table());
        for (Experiment.Figure figure : report.figures()) {
            AtomicFiles.write(dir.resolve(figure.fileName()),
                    stream -> BitmapEncoder.saveBitmap(figure.chart(), stream, BitmapEncoder.BitmapFormat.PNG));
        }
    }

    /** Progress with an ETA on stderr, created at the first report (when the total is known). */
    private static ProgressListener onStderr(String label) {
        return new ProgressListener() {
            private Progress bar;

            @Override
            public void update(long done, long total, String note) {
                report(done, total, note, false);
            }

            @Override
            public void skipped(long done, long total, String note) {
                report(done, total, note, true);
            }

            private void report(long done, long total, String note, boolean before) {
                if (bar == null) {
                    bar = new Progress(label, total);
                    bar.update(0, note);
                }
                if (done >= total) {
                    bar.finish(done, note);
                } else if (before) {
                    bar.skip(done, note);
                } else {
                    bar.update(done, note);
                }
            }
        };
    }
}
