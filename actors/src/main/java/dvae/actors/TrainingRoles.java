package dvae.actors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import dvae.cli.Settings;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.rbm.PriorSampler;
import dvae.math.rbm.SamplerState;
import dvae.math.run.JsonFiles;
import dvae.math.run.RandomStates;
import dvae.math.train.ChainStoreShard;
import dvae.math.train.ModelUpdater;
import dvae.math.train.ParameterVector;
import dvae.math.train.ResumePoint;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.SamplerProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training system's roles as {@link Guardian} children: what a node with each role runs, built from one run's
 * settings so that every node of a cluster builds the same thing. A one-JVM run is a node with every role.
 * <ul>
 *   <li>{@value #PARAMETER_SERVER}: the parameter server, starting from the reference trainer's initial weights;</li>
 *   <li>{@value #CHAIN_KEEPER}: every chain shard (RBM posterior only), each a keeper named {@code shard-i};</li>
 *   <li>{@value #SAMPLER}: every prior sampler, the particles split evenly (not for structured prediction);</li>
 *   <li>{@value #WORKER}: this node's workers, {@code w0, w1, ...};</li>
 *   <li>{@value #COORDINATOR}: the coordinator, on the node that holds the run directory.</li>
 * </ul>
 * Random streams follow the reference trainer's purpose names; the first worker of a one-node run ({@code w0})
 * draws from the reference's own data and noise streams, so that with one worker the run is the reference run.
 */
public final class TrainingRoles {
    public static final String PARAMETER_SERVER = "parameter-server";
    public static final String CHAIN_KEEPER = "chain-keeper";
    public static final String SAMPLER = "sampler";
    public static final String WORKER = "worker";
    public static final String COORDINATOR = "coordinator";

    private TrainingRoles() {
    }

    /** The system's shape and its actors' settings. */
    public record Topology(int workersPerNode, int samplers, int chainShards, ParameterServer.Config server,
                           Worker.Config worker, Coordinator.Config coordinator) {
        /** Reads {@code dvae.actors}; the coordinator starts once {@code startWithWorkers} workers are there. */
        public static Topology from(Settings s, int startWithWorkers) {
            return new Topology(s.intAtLeast("dvae.actors.workers", 1), s.intAtLeast("dvae.actors.samplers", 1),
                    s.intAtLeast("dvae.actors.chain-shards", 1), ParameterServer.Config.from(s), Worker.Config.from(s),
                    Coordinator.Config.from(s, startWithWorkers));
        }
    }

    /**
     * One run's model, settings and data, the same on every node, and the checkpoint it resumes from (null for a
     * fresh run): the server, the samplers and the workers of a node that can read it start from its state.
     */
    public record Training(ModelConfig model, TrainConfig config, Dataset data, ResumePoint resume) {
        public Training(ModelConfig model, TrainConfig config, Dataset data) {
            this(model, config, data, null);
        }
    }

    /** The name of a worker's stream in a checkpoint's random-stream file: w0's are the reference trainer's own. */
    public static String workerStream(String purpose, String workerId) {
        return workerId.equals("w0") ? purpose : purpose + "/" + workerId;
    }

    /**
     * The children of every role for a node whose workers are named {@code workerPrefix + "w" + j}; {@code run} is
     * the coordinator's run (only the node with the coordinator role uses it; null elsewhere).
     */
    public static List<Guardian.RoleChild<?>> children(Training t, Topology topology, String workerPrefix,
                                                       Coordinator.Run run) {
        List<Guardian.RoleChild<?>> children = new ArrayList<>();
        children.add(new Guardian.RoleChild<>(PARAMETER_SERVER, ParameterServerProtocol.SERVICE_KEY,
                Behaviors.setup(ctx -> parameterServer(t, topology))));
        if (t.model().posterior() == PosteriorKind.RBM) {
            children.add(new Guardian.RoleChild<>(CHAIN_KEEPER, null, Behaviors.<Void>setup(ctx -> chainKeepers(ctx, t,
                    topology.chainShards()))));
        }
        if (t.model().objective() != ObjectiveKind.STRUCT) {
            // Read before any actor starts, so a checkpoint without them fails the command, not an actor.
            List<SamplerState> states = t.resume() == null ? null : samplerStates(t.resume(), topology.samplers());
            children.add(new Guardian.RoleChild<>(SAMPLER, null, Behaviors.<Void>setup(ctx -> samplers(ctx, t,
                    topology, states))));
        }
        children.add(new Guardian.RoleChild<>(WORKER, null, Behaviors.<Void>setup(ctx -> workers(ctx, t, topology,
                workerPrefix))));
        if (run != null) {
            children.add(new Guardian.RoleChild<Void>(COORDINATOR, null,
                    Coordinator.create(topology.coordinator(), run)));
        }
        return children;
    }

    private static RandomStream stream(TrainConfig c, String purpose) {
        return RandomStream.forPurpose(c.seed(), purpose);
    }

    private static Behavior<ParameterServerProtocol.Command> parameterServer(Training t, Topology topology) {
        DvaeModel model = new DvaeModel(t.model(), t.data().meanPixel(), null, stream(t.config(), "init"));
        ModelUpdater updater = new ModelUpdater(model, t.config(), t.data().name(), t.data().meanPixel());
        if (t.resume() != null) {
            return ParameterServer.create(topology.server(), updater.restore(t.resume().checkpoint().dir()),
                    t.resume().parameterVersion(), updater, updater);
        }
        return ParameterServer.create(topology.server(), ParameterVector.values(model.params()), 0, updater,
                updater);
    }

    private static Behavior<Void> chainKeepers(ActorContext<Void> ctx, Training t, int shards) {
        int examples = t.data().trainSize();
        for (int i = 0; i < shards; i++) {
            // Each keeper's store starts as the reference trainer's whole store does; it serves its range of it.
            ChainStore store = new ChainStore(examples, t.model().samples(), t.model().side1(),
                    stream(t.config(), "chains").nextLong());
            int first = ChainStoreShard.firstExample(i, shards, examples);
            int count = ChainStoreShard.firstExample(i + 1, shards, examples) - first;
            ActorRef<ChainKeeperProtocol.Command> keeper = ctx.spawn(ChainKeeper.create(
                    new ChainStoreShard(store, first, count)), "shard-" + i);
            register(ctx, ChainKeeperProtocol.SERVICE_KEY, keeper);
            register(ctx, ChainKeeperProtocol.shardKey(i), keeper);
        }
        return Behaviors.empty();
    }

    /**
     * The samplers' states at the checkpoint: each actor sampler's own, or, continuing a reference run (one sampler,
     * checked by {@link ResumePoint#requireContinuableBy}), the reference trainer's.
     */
    private static List<SamplerState> samplerStates(ResumePoint from, int samplers) {
        Path dir = from.checkpoint().dir();
        if (from.engine().equals(ResumePoint.REFERENCE)) {
            return List.of(JsonFiles.read(dir.resolve(Trainer.SAMPLER_FILE), SamplerState.class));
        }
        List<SamplerState> states = new ArrayList<>();
        for (int i = 0; i < samplers; i++) {
            Path file = ResumePoint.actorSamplerFile(dir, i);
            if (!Files.exists(file)) {
                throw new BadInputException(file + ": missing, so the run's " + samplers + " prior samplers cannot "
                        + "be restored");
            }
            states.add(JsonFiles.read(file, SamplerState.class));
        }
        return states;
    }

    private static Behavior<Void> samplers(ActorContext<Void> ctx, Training t, Topology topology,
                                           List<SamplerState> states) {
        int count = topology.samplers();
        int n1 = t.model().side1();
        int n2 = t.model().side2();
        for (int i = 0; i < count; i++) {
            int particles = t.config().priorParticles() / count + (i < t.config().priorParticles() % count ? 1 : 0);
            RandomStream rng = stream(t.config(), i == 0 ? "prior-sampler" : "prior-sampler/" + i);
            String id = Sampler.id(i);
            PriorSampler sampler = t.config().newPriorSampler(n1, n2, particles, rng);
            if (states != null) {
                sampler.restore(states.get(i));
            }
            register(ctx, SamplerProtocol.SERVICE_KEY, ctx.spawn(Sampler.create(i, sampler, n1, n2, particles,
                    topology.worker().mathDispatcher()), id));
        }
        return Behaviors.empty();
    }

    private static Behavior<Void> workers(ActorContext<Void> ctx, Training t, Topology topology, String prefix) {
        Map<String, long[]> saved = t.resume() == null ? Map.of()
                : RandomStates.read(t.resume().checkpoint().file(Trainer.RANDOM_FILE));
        for (int j = 0; j < topology.workersPerNode(); j++) {
            String id = prefix + "w" + j;
            ChainStore scratch = t.model().posterior() == PosteriorKind.RBM
                    ? new ChainStore(t.data().trainSize(), t.model().samples(), t.model().side1(), 0) : null;
            // The replica's initial weights are never used: the first step pulls the server's.
            DvaeModel replica = new DvaeModel(t.model(), t.data().meanPixel(), scratch, stream(t.config(), "init"));
            // The server's update rule on the replica, for local updates (its Adam moments are two more model sizes).
            ModelUpdater updater = topology.worker().localUpdates() == Worker.LocalUpdates.OFF ? null
                    : new ModelUpdater(replica, t.config(), t.data().name(), t.data().meanPixel());
            ctx.spawn(Worker.create(id, topology.worker(), new Worker.Resources(replica, scratch, t.data(),
                    workerStream(t.config(), "binarize", id, saved), workerStream(t.config(), "noise", id, saved),
                    updater)),
                    "w" + j);
        }
        return Behaviors.empty();
    }

    /** A worker's stream, continued from the checkpoint when it saved this worker's (new workers start afresh). */
    private static RandomStream workerStream(TrainConfig c, String purpose, String workerId,
                                             Map<String, long[]> saved) {
        String name = workerStream(purpose, workerId);
        RandomStream s = stream(c, name);
        if (saved.containsKey(name)) {
            s.restore(saved.get(name));
        }
        return s;
    }

    private static <T> void register(ActorContext<?> ctx, ServiceKey<T> key, ActorRef<T> ref) {
        ctx.getSystem().receptionist().tell(Receptionist.register(key, ref));
    }
}
