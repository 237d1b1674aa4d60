package dvae.cli;

import dvae.actors.TrainingNode;
import dvae.actors.TrainingRoles;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.data.DatasetKind;
import dvae.math.data.Datasets;
import dvae.math.model.ModelConfig;
import dvae.math.run.RunDirectory;
import dvae.math.run.RunLock;
import dvae.math.train.ResumePoint;
import dvae.math.train.TrainConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One cluster node of a training run, run until it is stopped (SIGTERM leaves the cluster gracefully; on the
 * coordinator's node after the steps in flight have settled and a checkpoint is written) or downed.
 * Every node builds the run from the same settings; the coordinator's node prints the summary when it has finished.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start one cluster node of a training run on this machine (run/cluster starts several).")
final class NodeCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settings;

    @Option(names = "--index", paramLabel = "I", defaultValue = "0",
            description = "Node number: listens on dvae.cluster.seed-port + I and takes the roles "
                    + "dvae.cluster.node-roles[I] (its last entry past the end); node 0 is the seed.")
    int index;

    @Option(names = "--role", paramLabel = "ROLE", description = "A role of this node instead (repeatable).")
    List<String> roles;

    @Option(names = "--port", paramLabel = "P", description = "Listen on this port instead.")
    Integer port;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory of the coordinator's node (default: "
            + "a new folder under dvae.train.runs-dir).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the actor run in DIR from its latest "
            + "checkpoint with its own settings; give it to every node (run/cluster up N --resume DIR does). Only "
            + "dvae.cluster.* and akka.* may be --set beside it.")
    Path resume;

    /** The coordinator's run directory's lock, held while the node runs. */
    private RunLock lock;

    @Override
    public Integer call() {
        try {
            return runNode();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    private Integer runNode() {
        if (index < 0) {
            throw new BadInputException("--index must be at least 0, got " + index);
        }
        RunDirectory resumed = null;
        Settings s;
        if (resume != null) {
            if (out != null || settings.configFile != null) {
                throw new BadInputException("--resume continues a run in its own directory with its own settings: "
                        + "drop --out and --config");
            }
            settings.sets.stream().filter(a -> !a.startsWith("dvae.cluster.") && !a.startsWith("akka.")).findFirst()
                    .ifPresent(a -> {
                        throw new BadInputException("--resume keeps the run's settings; only dvae.cluster.* and "
                                + "akka.* may be set beside it, not " + a);
                    });
            resumed = RunDirectory.open(resume);
            s = new Settings(SettingsLoader.load(resumed.configFile(), settings.sets));
        } else {
            s = settings.load();
        }
        int listenOn = port != null ? port : s.intAtLeast("dvae.cluster.seed-port", 0) + index;
        List<String> nodeRoles = roles != null ? roles : rolesOf(s.stringList("dvae.cluster.node-roles"), index);
        DatasetKind kind = DatasetKind.parse(s.oneOf("dvae.data.dataset", DatasetKind.ids().toArray(String[]::new)));
        double checkpointMinutes = TrainingSettings.checkpointMinutes(s);
        boolean coordinates = nodeRoles.contains(TrainingRoles.COORDINATOR);
        // Every setting is checked before anything is written.
        TrainingRoles.Topology topology = TrainingRoles.Topology.from(s,
                s.intAtLeast("dvae.actors.coordinator.start-with-workers", 1));
        Dataset data;
        TrainingRoles.Training training;
        RunDirectory run = null;
        if (resumed != null) {
            data = Datasets.load(kind, DataCommand.dataOptions(s, null));
            ResumePoint from = ResumePoint.of(resumed, data);
            from.requireContinuableBy(TrainCommand.Engine.actors.name(), topology.samplers());
            training = new TrainingRoles.Training(from.manifest().config(), from.config(), data, from);
            run = coordinates ? resumed : null;
            if (run != null) {
                lock = RunLock.acquire(run.root());
            }
        } else {
            ModelConfig model = TrainingSettings.model(s, kind.id());
            TrainConfig config = TrainingSettings.training(s);
            run = coordinates ? TrainCommand.createRunDirectory(s, model, out) : null;
            if (run != null) {
                lock = RunLock.acquire(run.root());
            }
            data = Datasets.load(kind, DataCommand.dataOptions(s, null));
            training = new TrainingRoles.Training(model, config, data);
        }
        long startStep = training.resume() == null ? 0 : training.resume().step();
        TrainingNode node = TrainingNode.start(s.config(), s.string("dvae.cluster.system-name"), listenOn, nodeRoles,
                "n" + index + "-", training, topology, run,
                new TrainCommand.TerminalListener(training.config().iterations(), startStep, data, checkpointMinutes));
        if (run != null) {
            System.err.println("run directory: " + run.root());
            String continueWith = "run/cluster up N --resume " + run.root();
            long iterations = training.config().iterations();
            RunDirectory finishedRun = run;
            TrainConfig trained = training.config();
            node.summary().whenComplete((summary, failure) -> {
                String stopped = failure == null ? TrainCommand.stopped(summary.steps(), iterations, continueWith)
                        : null;
                System.out.println(failure != null ? "training stopped: " + failure
                        : stopped != null ? "training " + stopped
                        : "training finished: " + TrainCommand.outcome(summary, finishedRun, trained));
            });
        }
        node.system().getWhenTerminated().toCompletableFuture().join();
        return 0;
    }

    /** Node {@code index}'s roles: entry {@code index} of the list (its last past the end), split at commas. */
    static List<String> rolesOf(List<String> perNode, int index) {
        if (perNode.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(perNode.get(Math.min(index, perNode.size() - 1)).split(","))
                .map(String::trim).filter(r -> !r.isEmpty()).toList();
    }
}
