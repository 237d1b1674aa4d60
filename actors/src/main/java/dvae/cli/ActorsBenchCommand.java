package dvae.cli;

import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import dvae.actors.TrainingNode;
import dvae.actors.TrainingRoles;
import dvae.actors.Worker;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.data.DatasetKind;
import dvae.math.data.Datasets;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.run.RunDirectory;
import dvae.math.train.ParameterVector;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.math.util.Progress;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.SamplerProtocol;
import dvae.protocols.Tensor;
import dvae.protocols.WorkerProtocol;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dvae bench actors}: training steps per second of the actor system against the reference trainer on the same
 * settings (the paper's, unless changed), in one process and run: the reference trainer, the one-JVM actor run (one
 * worker, configured by {@code dvae.actors.worker}: by default pipelined with exact local updates), and a two-JVM
 * loopback cluster (this JVM with the server roles, a child JVM with one worker).
 * A discarded reference run of {@code --warmup} steps comes first; a run's rate is one over the median time between
 * its steps after the first {@code --warmup}, so start-up, JIT warm-up, the closing validation and short bursts of
 * other jobs are left out. A round runs the reference trainer before and after the two actor runs and compares them
 * with the mean of the two: a run later in the process comes out slower, whatever the engine. The rounds repeat
 * {@code --rounds} times; the rates and the ratios
 * (each taken within its round) are medians over the rounds, since this machine is shared and its load drifts. Bytes per step: the
 * Jackson-CBOR size of one cluster step's messages (chains both ways, prior sample and estimate, push,
 * acknowledgement, batch and outcome, and the pull and parameters unless the worker updates locally), serialized
 * with the system's own serializer.
 */
@Command(name = "actors", mixinStandardHelpOptions = true,
        description = "Steps/s of the one-JVM actor run and a 2-JVM loopback cluster against the reference trainer.")
final class ActorsBenchCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settingsOptions;

    // Long enough for the steady state a training run of 10^5 steps lives in: the cluster's worker JVM starts cold
    // every round and was still compiling 30-40 methods a second after a minute (-XX:+PrintCompilation); at HEAD
    // 071f2f0 its ratio was 0.64 timed over steps 20-120, 0.63 over 300-600 and 0.67 over 1000-1500, in runs minutes
    // apart. At HEAD 606a0ae (-XX:+LogCompilation) its C2 threads still spent 3.4-3.7 s per 30 s compiling between
    // 30 and 90 s after start (steps 700-2200) and 0.3-0.7 s from 90 s on; over steps 1000-1500 the two JVMs' C2
    // threads took 150 core-ms/s, 7.5% of the machine.
    @Option(names = "--steps", paramLabel = "N", defaultValue = "3500", description = "Training steps per engine.")
    int steps;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "2500",
            description = "Steps excluded from the timing at the start of each run (JIT warm-up).")
    int warmup;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "3",
            description = "Rounds of the three runs, interleaved; rates and ratios are medians over the rounds.")
    int rounds;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    /** Records when the run logged each step after the warm-up. */
    private final class Timing implements Trainer.Listener {
        final List<Long> loggedAt = new ArrayList<>();

        @Override
        public void onLog(Map<String, Object> metrics) {
            if (((Number) metrics.get("step")).longValue() >= warmup) {
                loggedAt.add(System.nanoTime());
            }
        }

        /** One over the median time between consecutive steps: robust to other jobs' bursts on a shared machine. */
        double stepsPerSecond() {
            double[] intervals = new double[loggedAt.size() - 1];
            for (int i = 0; i < intervals.length; i++) {
                intervals[i] = (loggedAt.get(i + 1) - loggedAt.get(i)) / 1e9;
            }
            return 1 / median(intervals);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    @Override
    public Integer call() throws Exception {
        if (warmup < 1 || steps <= warmup || rounds < 1) {
            throw new BadInputException("need 1 <= --warmup < --steps and --rounds >= 1, got " + warmup + ", " + steps
                    + " and " + rounds);
        }
        // Log every step and validate only at the end, on a few examples, without the NLL and with the smallest
        // prior AIS: the loop itself is what is timed.
        List<String> sets = new ArrayList<>(settingsOptions.sets);
        sets.addAll(List.of("dvae.train.iterations=" + steps, "dvae.train.log-every=1",
                "dvae.train.eval-every=" + steps, "dvae.train.valid-examples=100", "dvae.train.select-by=loss",
                "dvae.train.valid-nll.prior-temps=2", "dvae.train.valid-nll.prior-chains=1"));
        Settings settings = new Settings(SettingsLoader.load(settingsOptions.configFile, sets));
        DatasetKind kind = DatasetKind.parse(settings.oneOf("dvae.data.dataset",
                DatasetKind.ids().toArray(String[]::new)));
        ModelConfig model = TrainingSettings.model(settings, kind.id());
        TrainConfig training = TrainingSettings.training(settings);
        Dataset data = Datasets.load(kind, DataCommand.dataOptions(settings, null));
        TrainingRoles.Training run = new TrainingRoles.Training(model, training, data);
        Path scratch = Files.createTempDirectory("dvae-bench-actors");
        String system = settings.string("dvae.cluster.system-name");
        // A discarded run first: the JIT, BLAS threads and page faults would otherwise all fall on the reference.
        progress("warm-up: reference trainer, " + warmup + " steps of " + model.label());
        List<String> warmupSets = new ArrayList<>(sets);
        warmupSets.addAll(List.of("dvae.train.iterations=" + warmup, "dvae.train.eval-every=" + warmup));
        new Trainer(model, TrainingSettings.training(new Settings(SettingsLoader.load(settingsOptions.configFile,
                warmupSets))), data).run(RunDirectory.create(scratch.resolve("warm-up"), ""), new Trainer.Listener() {
                });
        double[] referenceRate = new double[rounds];
        double[] singleRate = new double[rounds];
        double[] clusterRate = new double[rounds];
        double[] singleRatio = new double[rounds];
        double[] clusterRatio = new double[rounds];
        long bytesPerStep = 0;
        long roundsStart = System.nanoTime();
        double[][] referenceBeforeAfter = new double[rounds][];
        for (int round = 0; round < rounds; round++) {
            String where = "round " + (round + 1) + "/" + rounds + ": ";
            progress(where + "reference trainer, " + steps + " steps");
            double before = referenceRun(model, training, data, scratch.resolve(round + "-reference"));

            progress(where + "one-JVM actor run");
            Timing single = new Timing();
            TrainingNode.runAlone(settings.config(), system, run, TrainingRoles.Topology.from(settings, 1),
                    RunDirectory.create(scratch.resolve(round + "-single-jvm"), ""), single);
            singleRate[round] = single.stepsPerSecond();

            progress(where + "two-JVM loopback cluster");
            Timing cluster = new Timing();
            bytesPerStep = twoJvmCluster(sets, run, cluster, scratch.resolve(round + "-cluster"));
            clusterRate[round] = cluster.stepsPerSecond();

            // A run later in the process's life comes out slower, whatever the engine (docs/benchmarks.md): the
            // reference runs before and after the others, and their mean stands for it at the others' place.
            progress(where + "reference trainer again");
            double after = referenceRun(model, training, data, scratch.resolve(round + "-reference-after"));
            referenceBeforeAfter[round] = new double[] {before, after};
            referenceRate[round] = (before + after) / 2;
            // Ratios within a round: its runs are minutes apart, the rounds may see different loads.
            singleRatio[round] = singleRate[round] / referenceRate[round];
            clusterRatio[round] = clusterRate[round] / referenceRate[round];
            double perRound = (System.nanoTime() - roundsStart) / 1e9 / (round + 1);
            progress(where + String.format(Locale.ROOT, "%.2f / %.2f / %.2f steps/s (reference / one JVM / cluster)%s",
                    referenceRate[round], singleRate[round], clusterRate[round], round + 1 == rounds ? ""
                            : "; about " + Progress.duration(perRound * (rounds - round - 1)) + " left"));
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "actors");
        out.put("reference_steps_per_s", median(referenceRate));
        out.put("single_jvm_steps_per_s", median(singleRate));
        out.put("single_jvm_ratio", median(singleRatio));
        out.put("cluster_steps_per_s", median(clusterRate));
        out.put("cluster_ratio", median(clusterRatio));
        out.put("bytes_per_step", bytesPerStep);
        // The medians above hide how far the rounds spread on a shared machine.
        out.put("single_jvm_ratio_per_round", singleRatio);
        out.put("cluster_ratio_per_round", clusterRatio);
        out.put("reference_before_after_per_round", referenceBeforeAfter);
        Worker.Config worker = Worker.Config.from(settings);
        out.put("pipeline_depth", worker.pipelineDepth());
        out.put("local_updates", worker.localUpdates().name().toLowerCase(Locale.ROOT));
        out.put("timed_steps", steps - warmup);
        out.put("rounds", rounds);
        if (json) {
            Json.print(out);
        } else {
            out.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-24s %s%n", k, v));
        }
        return 0;
    }

    /** A reference-trainer run's steps per second. */
    private double referenceRun(ModelConfig model, TrainConfig training, Dataset data, Path dir) {
        Timing timing = new Timing();
        new Trainer(model, training, data).run(RunDirectory.create(dir, ""), timing);
        return timing.stepsPerSecond();
    }

    private static void progress(String what) {
        System.err.println("bench actors: " + what + " ...");
    }

    /** Runs the cluster, this JVM as node 0 and a child JVM as the worker node; returns the bytes of one step. */
    private long twoJvmCluster(List<String> sets, TrainingRoles.Training run, Timing timing, Path dir)
            throws IOException, InterruptedException {
        int seedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            seedPort = s.getLocalPort();
        }
        List<String> nodeSets = new ArrayList<>(sets);
        nodeSets.add("dvae.cluster.seed-port=" + seedPort);
        Settings settings = new Settings(SettingsLoader.load(settingsOptions.configFile, nodeSets));
        TrainingNode server = TrainingNode.start(settings.config(), settings.string("dvae.cluster.system-name"),
                seedPort, List.of(TrainingRoles.PARAMETER_SERVER, TrainingRoles.CHAIN_KEEPER, TrainingRoles.SAMPLER,
                        TrainingRoles.COORDINATOR), "n0-", run, TrainingRoles.Topology.from(settings, 1),
                RunDirectory.create(dir, ""), timing);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules", "jdk.incubator.vector", "-Xmx2g", "-XX:G1HeapRegionSize=32m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "node", "--index", "1", "--port", "0",
                "--role", TrainingRoles.WORKER));
        if (settingsOptions.configFile != null) {
            command.addAll(List.of("--config", settingsOptions.configFile.toString()));
        }
        for (String set : nodeSets) {
            command.addAll(List.of("--set", set));
        }
        Process worker = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling("worker-node.log").toFile()).start();
        try {
            server.awaitSummary();
            // The worker's server is on the other JVM: "auto" updates locally there.
            return bytesPerStep(server, run, Worker.Config.from(settings).localUpdates() != Worker.LocalUpdates.OFF);
        } finally {
            worker.destroy();
            if (!worker.waitFor(30, TimeUnit.SECONDS)) {
                worker.destroyForcibly();
            }
            server.shutdown();
        }
    }

    /**
     * The serialized size of one step's messages, at this run's sizes; a worker that updates its replica itself
     * (one worker: it never has to pull again) sends no pull and gets no parameters.
     */
    private static long bytesPerStep(TrainingNode node, TrainingRoles.Training run, boolean localUpdates) {
        Serialization serialization = SerializationExtension.get(node.system().classicSystem());
        ModelConfig m = run.model();
        int parameters = ParameterVector.length(new DvaeModel(m, run.data().meanPixel(), null,
                new RandomStream(0)).params());
        int batch = run.config().batchSize();
        int[] examples = new int[batch];
        int words = new ChainStore(1, m.samples(), m.side1(), 0).wordsPerExample();
        int n1 = m.side1();
        int n2 = m.side2();
        var self = node.system().<Object>deadLetters();
        Tensor values = Tensor.ofFloats(new float[parameters], parameters);
        Tensor chains = Tensor.ofLongs(new long[batch * words], batch, words);
        List<Object> step = new ArrayList<>(List.of(
                new WorkerProtocol.TrainBatch(0, examples, 1, 1e-3, self.narrow()),
                new ChainKeeperProtocol.FetchChains(examples, self.narrow()),
                new ChainKeeperProtocol.ChainStates(examples, chains),
                new SamplerProtocol.Sample(0, Tensor.ofFloats(new float[n1 * n2 + n1 + n2], n1 * n2 + n1 + n2),
                        self.narrow()),
                new SamplerProtocol.Estimate("sampler-0", 0, 1000, Tensor.ofDoubles(new double[n1], n1),
                        Tensor.ofDoubles(new double[n2], n2), Tensor.ofDoubles(new double[n1 * n2], n1, n2), 0, 0),
                new ChainKeeperProtocol.StoreChains(examples, chains, self.narrow()),
                new ChainKeeperProtocol.ChainsStored(examples),
                new ParameterServerProtocol.PushGradient("n1-w0", 1, 0, 1e-3, values, self.narrow()),
                new ParameterServerProtocol.Ack("n1-w0", 1, 1, 1f, false),
                new WorkerProtocol.BatchTrained("n1-w0", 0, 1, 0, 0, 0, 0, 0)));
        if (!localUpdates) {
            step.add(new ParameterServerProtocol.Pull(self.narrow(), null));
            step.add(new ParameterServerProtocol.Parameters(0, values, false));
        }
        long bytes = 0;
        for (Object message : step) {
            bytes += serialization.serialize(message).get().length;
        }
        return bytes;
    }
}
