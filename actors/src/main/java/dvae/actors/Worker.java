package dvae.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import dvae.cli.Settings;
import dvae.math.BadInputException;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.random.RandomStream;
import dvae.math.rbm.ChainStore;
import dvae.math.rbm.NegativePhase;
import dvae.math.rbm.PooledSamplers;
import dvae.math.tensor.Matrix;
import dvae.math.train.ChainStoreShard;
import dvae.math.train.GradientStep;
import dvae.math.train.ModelUpdater;
import dvae.math.train.ParameterVector;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ChainKeeperProtocol.ChainStates;
import dvae.protocols.ChainKeeperProtocol.ChainsRefused;
import dvae.protocols.ChainKeeperProtocol.ChainsStored;
import dvae.protocols.ChainKeeperProtocol.FetchChains;
import dvae.protocols.ChainKeeperProtocol.StoreChains;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Ack;
import dvae.protocols.ParameterServerProtocol.OptimizerMoments;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.ParameterServerProtocol.PushGradient;
import dvae.protocols.ParameterServerProtocol.Rejected;
import dvae.protocols.SamplerProtocol;
import dvae.protocols.SamplerProtocol.Estimate;
import dvae.protocols.SamplerProtocol.Sample;
import dvae.protocols.Tensor;
import dvae.protocols.WorkerProtocol;
import dvae.protocols.WorkerProtocol.BatchFailed;
import dvae.protocols.WorkerProtocol.BatchTrained;
import dvae.protocols.WorkerProtocol.SnapshotStreams;
import dvae.protocols.WorkerProtocol.TrainBatch;
import dvae.protocols.WorkerProtocol.WorkerStreams;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A worker (see {@link WorkerProtocol} for one step's course): a thin shell around {@link GradientStep#compute} on a
 * replica of the model. It finds the parameter server, the samplers and the keeper of every chain shard through the
 * receptionist and registers itself for batches once it has found them all. One batch computes at a time, later ones
 * queued; every step ends with exactly one {@link WorkerProtocol.BatchOutcome}, a failure on the way (refused chains,
 * a rejected push, no answer within the step timeout, an exception in the maths) included.
 *
 * <p>With a pipeline depth of 2 the next batch starts computing as soon as a gradient is pushed, while the push
 * travels and the server applies it, so the wire and the server's update overlap the maths. Once an acknowledgement
 * shows another worker's push in between, the worker computes one step at a time: the others then fill the gaps, and
 * a second step of its own would only be staler.
 *
 * <p>With local updates the worker also applies each gradient it pushes to its own replica, with the server's
 * weight decay and Adam from the server's optimizer state (pulled with the parameters), so it has the server's next
 * version without pulling it, and with a pipeline of 2 computes the next step at it while the push travels: no
 * staleness, and no parameters on the wire. Without them, a pipelined worker fetches the parameters behind each
 * acknowledgement and computes one version behind or, when the fetch overtakes its next push, two: faster where a
 * pull is cheap, but not repeatable step for step. Every acknowledgement is checked against the version the worker
 * expected; when another worker's push came in between (or a push was refused), the replica is pulled again, and
 * once others' pushes interleave the worker stops updating locally and pulls as usual. A local update also asks
 * the samplers for the next step's prior estimate as soon as it has updated the prior, when that step's batch is
 * already queued, so the sampling runs beside the rest of the update as in the reference trainer.
 */
public final class Worker extends AbstractBehavior<Object> {

    /**
     * @param maxParameterAge pull before a step when the server is known to be more than this many versions ahead
     *                        (0: always compute at the newest version, the synchronous mode)
     * @param pipelineDepth   batches of this worker between the start of their maths and their acknowledgement: 1
     *                        computes each step after the last one's gradient is applied, 2 the next one meanwhile
     * @param samplers        prior samplers to pool (their particles form the set)
     * @param localUpdates    apply its own pushes to the replica (see the class comment): always, never, or when the
     *                        parameter server is on another node (where a pull would cross the wire, while in one
     *                        JVM it is a hand-over and a local update only repeats the server's)
     * @param chainShards     chain keepers the training set is split over
     */
    public record Config(int maxParameterAge, int pipelineDepth, LocalUpdates localUpdates, int samplers,
                         int chainShards, Duration stepTimeout, String mathDispatcher) {
        /** Reads {@code dvae.actors.worker}, {@code samplers}, {@code chain-shards} and the maths dispatcher. */
        public static Config from(Settings s) {
            int depth = s.intAtLeast("dvae.actors.worker.pipeline-depth", 1);
            int credit = s.intAtLeast("dvae.actors.parameter-server.credit-window", 1);
            if (depth > 2 || depth > credit) {
                throw new BadInputException("dvae.actors.worker.pipeline-depth: " + depth + " must be 1 or 2 and at "
                        + "most dvae.actors.parameter-server.credit-window (" + credit + ")");
            }
            return new Config(s.intAtLeast("dvae.actors.worker.max-parameter-age", 0), depth,
                    LocalUpdates.parse(s.config().getValue("dvae.actors.worker.local-updates").unwrapped()),
                    s.intAtLeast("dvae.actors.samplers", 1), s.intAtLeast("dvae.actors.chain-shards", 1),
                    s.config().getDuration("dvae.actors.worker.step-timeout"), s.string("dvae.actors.math-dispatcher"));
        }
    }

    public enum LocalUpdates {
        ON, OFF, AUTO;

        static LocalUpdates parse(Object setting) {
            if (setting instanceof Boolean on) {
                return on ? ON : OFF; // HOCON reads a bare on/off as a boolean
            }
            for (LocalUpdates v : values()) {
                if (v.name().equalsIgnoreCase(String.valueOf(setting))) {
                    return v;
                }
            }
            throw new BadInputException("dvae.actors.worker.local-updates: expected on, off or auto, got '" + setting
                    + "'");
        }
    }

    /**
     * What a worker computes with: its replica of the model (its tensors replaced at each pull), the scratch chain
     * store the model's posterior reads and writes (null unless the posterior is an RBM), the training data, its
     * own random streams for binarization and noise, and the server's update rule on the replica (for local updates;
     * null: none).
     */
    public record Resources(DvaeModel model, ChainStore chains, Dataset data, RandomStream binarize,
                            RandomStream noise, ModelUpdater updater) {
    }

    public static Behavior<WorkerProtocol.Command> create(String id, Config config, Resources resources) {
        return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> new Worker(ctx, timers, id, config,
                resources))).narrow();
    }

    // Local messages of the actor to itself, never serialized.
    private record Listing(Receptionist.Listing listing) implements NoSerializationVerificationNeeded {
    }

    /**
     * {@code updatedLocally}: the replica took the server's next version from this gradient; {@code sampledAhead}:
     * the samplers asked for the prior's estimate at that version meanwhile (empty: none asked).
     */
    private record Computed(long job, DvaeModel.StepValues values, Tensor gradient, Map<Integer, long[]> states,
                            boolean updatedLocally, List<ActorRef<SamplerProtocol.Command>> sampledAhead)
            implements NoSerializationVerificationNeeded {
    }

    private record ComputeFailed(long job, Throwable failure) implements NoSerializationVerificationNeeded {
    }

    private record TimedOut(long job) implements NoSerializationVerificationNeeded {
    }

    private static final String WAITING_FOR_PARAMETERS = "waiting for parameters";

    /** The chains of a batch, asked for by shard. */
    private static final class ChainFetch {
        final Map<Integer, int[]> examplesByShard = new HashMap<>();
        final Map<Integer, ChainStates> arrived = new HashMap<>();
        String refused;
    }

    /** One batch in progress. */
    private static final class Job {
        final long id;
        final TrainBatch batch;
        final Map<Integer, int[]> examplesByShard = new HashMap<>();
        final List<Estimate> estimates = new ArrayList<>();
        /** Completes with every sampler's estimate; the maths waits for it only after the objective's gradient. */
        final CompletableFuture<List<Estimate>> estimatesReady = new CompletableFuture<>();
        String phase = WAITING_FOR_PARAMETERS;
        final Set<Integer> fetching = new HashSet<>();
        final Set<Integer> storing = new HashSet<>();
        int samplesPending;
        boolean updateLocally;
        /** The version the maths computes at, and the samplers it may ask for the next one's estimate. */
        long version;
        List<ActorRef<SamplerProtocol.Command>> samplers = List.of();
        /** Set when the batch after this one is queued: only then is the next sample asked for ahead. */
        final AtomicBoolean nextQueued = new AtomicBoolean();
        long pushedSeq = -1;
        boolean awaitingAck;
        Computed computed;

        Job(long id, TrainBatch batch) {
            this.id = id;
            this.batch = batch;
        }
    }

    private final String id;
    private final Config config;
    private final Resources resources;
    private final TimerScheduler<Object> timers;
    private final Executor math;
    private final ActorRef<Estimate> estimatesTo; // this actor, for the maths thread (which may not ask the context)
    private final boolean usesChains;
    private final boolean usesSampler;
    private ActorRef<ParameterServerProtocol.Command> server;
    private final Set<ActorRef<SamplerProtocol.Command>> samplers = new HashSet<>();
    private final Map<Integer, ActorRef<ChainKeeperProtocol.Command>> keepers = new HashMap<>();
    private boolean registered;
    private long version = -1;
    private long knownServerVersion = -1;
    private long lastAckVersion = -1; // the version the latest acknowledgement of this worker's pushes named
    private boolean othersPushing; // another worker's push came between two of this one's (see pipelineDepth)
    private boolean stale;
    private long seq;
    private long jobs;
    private Job job; // the batch being prepared or computed
    private final ArrayDeque<Job> settling = new ArrayDeque<>(); // pushed, awaiting acknowledgement and write-backs
    private boolean pullPending;
    private Parameters prefetched; // newer parameters that arrived while the maths ran, loaded before the next step
    private boolean localUpdates;
    private boolean replicaExact; // the replica holds the server's parameters and Adam state of `version`
    private final Map<Long, Long> expectedVersions = new HashMap<>(); // push seq -> the version it made locally
    private Parameters statePulled; // parameters of a pull with the optimizer state, waiting for the moments
    private OptimizerMoments firstMoments;
    private final ArrayDeque<TrainBatch> queued = new ArrayDeque<>();
    private final Map<Long, ChainFetch> fetchedAhead = new HashMap<>(); // by step
    private final List<SnapshotStreams> snapshots = new ArrayList<>();
    private long computingJob = -1; // a job whose maths still runs (even if it already failed): the model is busy
    private long sampledAheadVersion = -1; // the version whose prior estimates a step's maths asked for ahead
    private List<ActorRef<SamplerProtocol.Command>> sampledAheadFrom = List.of();
    private final List<Estimate> early = new ArrayList<>(); // estimates for a version no step has started at yet

    private Worker(ActorContext<Object> ctx, TimerScheduler<Object> timers, String id, Config config,
                   Resources resources) {
        super(ctx);
        this.id = id;
        this.config = config;
        this.resources = resources;
        this.timers = timers;
        this.math = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(config.mathDispatcher()));
        this.estimatesTo = ctx.getSelf().narrow();
        this.usesChains = resources.chains() != null;
        this.localUpdates = config.localUpdates() == LocalUpdates.ON && resources.updater() != null;
        this.usesSampler = resources.model().config().objective() != ObjectiveKind.STRUCT;
        ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listing::new);
        subscribe(ParameterServerProtocol.SERVICE_KEY, listings);
        if (usesSampler) {
            subscribe(SamplerProtocol.SERVICE_KEY, listings);
        }
        if (usesChains) {
            for (int s = 0; s < config.chainShards(); s++) {
                subscribe(ChainKeeperProtocol.shardKey(s), listings);
            }
        }
    }

    private void subscribe(ServiceKey<?> key, ActorRef<Receptionist.Listing> listings) {
        getContext().getSystem().receptionist().tell(Receptionist.subscribe(key, listings));
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
                .onMessage(Listing.class, this::onListing)
                .onMessage(TrainBatch.class, this::onTrainBatch)
                .onMessage(SnapshotStreams.class, m -> {
                    snapshots.add(m);
                    startNext();
                    return this;
                })
                .onMessage(Parameters.class, this::onParameters)
                .onMessage(OptimizerMoments.class, this::onMoments)
                .onMessage(ChainStates.class, this::onChainStates)
                .onMessage(ChainsStored.class, m -> {
                    for (Job j : settling) {
                        if (j.storing.remove(shardOf(j.examplesByShard, m.examples()))) {
                            maybeFinish(j);
                            break;
                        }
                    }
                    return this;
                })
                .onMessage(ChainsRefused.class, this::onChainsRefused)
                .onMessage(Estimate.class, this::onEstimate)
                .onMessage(Computed.class, this::onComputed)
                .onMessage(ComputeFailed.class, m -> {
                    computingJob = -1;
                    if (job != null && job.id == m.job()) {
                        fail(job, "the step's maths failed: " + m.failure());
                    }
                    startNext();
                    return this;
                })
                .onMessage(Ack.class, this::onAck)
                .onMessage(Rejected.class, m -> {
                    if (m.reason() == Rejected.Reason.STALE) {
                        stale = true; // the server moved on by others' pushes: this copy is too old to compute at
                    }
                    if (expectedVersions.remove(m.seq()) != null) {
                        replicaDiverged("push " + m.seq() + " was refused", false);
                    }
                    return fail(awaitingAck(m.seq()), "push " + m.seq() + " rejected " + m.reason() + ": "
                            + m.detail());
                })
                .onMessage(TimedOut.class, m -> {
                    Job late = job != null && job.id == m.job() ? job
                            : settlingWhere(j -> j.id == m.job());
                    return late == null ? this
                            : fail(late, "no progress within " + config.stepTimeout() + " while " + late.phase);
                })
                .build();
    }

    private Behavior<Object> onListing(Listing m) {
        Receptionist.Listing listing = m.listing();
        if (listing.isForKey(ParameterServerProtocol.SERVICE_KEY)) {
            server = listing.getServiceInstances(ParameterServerProtocol.SERVICE_KEY).stream().findFirst()
                    .orElse(null);
            if (server != null && version < 0 && config.localUpdates() == LocalUpdates.AUTO) {
                localUpdates = resources.updater() != null && !server.path().address().hasLocalScope();
            }
        } else if (listing.isForKey(SamplerProtocol.SERVICE_KEY)) {
            samplers.clear();
            samplers.addAll(listing.getServiceInstances(SamplerProtocol.SERVICE_KEY));
        } else {
            for (int s = 0; s < config.chainShards(); s++) {
                ServiceKey<ChainKeeperProtocol.Command> key = ChainKeeperProtocol.shardKey(s);
                if (listing.isForKey(key)) {
                    int shard = s;
                    listing.getServiceInstances(key).stream().findFirst().ifPresentOrElse(k -> keepers.put(shard, k),
                            () -> keepers.remove(shard));
                }
            }
        }
        if (!registered && server != null && (!usesSampler || samplers.size() == config.samplers())
                && (!usesChains || keepers.size() == config.chainShards())) {
            registered = true;
            getContext().getSystem().receptionist().tell(Receptionist.register(WorkerProtocol.SERVICE_KEY,
                    getContext().getSelf().narrow()));
        }
        return this;
    }

    private Behavior<Object> onTrainBatch(TrainBatch m) {
        // Queued rather than refused: a coordinator that gave up on a step of this worker (it seemed gone) sends the
        // next while that one still runs, and a refusal would only send it back at once, again and again.
        queued.add(m);
        startNext();
        fetchAhead();
        if (job != null && computingJob == job.id) {
            job.nextQueued.set(true);
        }
        return this;
    }

    /**
     * Asks for the chains of queued batches before their turn, so that their round trip to the keepers overlaps the
     * maths of the step before. Only for a batch that shares no example with the step being prepared or computed
     * (whose chains are not stored back yet) nor with a batch queued before it; the keeper takes a worker's
     * write-backs and fetches in the order they were sent, so a fetch after a step's write-back sees its chains.
     */
    private void fetchAhead() {
        if (!usesChains || keepers.size() < config.chainShards()) {
            return;
        }
        Set<Integer> notStoredYet = new HashSet<>();
        if (job != null) {
            for (int e : job.batch.examples()) {
                notStoredYet.add(e);
            }
        }
        for (TrainBatch b : queued) {
            boolean disjoint = Arrays.stream(b.examples()).noneMatch(notStoredYet::contains);
            if (disjoint && !fetchedAhead.containsKey(b.step())) {
                fetchedAhead.put(b.step(), fetchChains(b.examples()));
            }
            for (int e : b.examples()) {
                notStoredYet.add(e);
            }
        }
    }

    /** Sends the keepers a fetch for each shard's part of the batch. */
    private ChainFetch fetchChains(int[] batch) {
        int examples = resources.data().trainSize();
        Map<Integer, List<Integer>> byShard = new HashMap<>();
        for (int e : batch) {
            byShard.computeIfAbsent(ChainStoreShard.shardOf(e, config.chainShards(), examples),
                    s -> new ArrayList<>()).add(e);
        }
        ChainFetch fetch = new ChainFetch();
        ActorRef<ChainKeeperProtocol.Reply> self = getContext().getSelf().narrow();
        for (Map.Entry<Integer, List<Integer>> shard : byShard.entrySet()) {
            int[] ex = shard.getValue().stream().mapToInt(Integer::intValue).toArray();
            fetch.examplesByShard.put(shard.getKey(), ex);
            keepers.get(shard.getKey()).tell(new FetchChains(ex, self));
        }
        return fetch;
    }

    private Behavior<Object> onChainsRefused(ChainsRefused m) {
        String reason = "a chain keeper refused: " + m.reason();
        if (job != null && !job.fetching.isEmpty()) {
            return fail(job, reason);
        }
        Job storing = settlingWhere(j -> !j.storing.isEmpty());
        if (storing != null) {
            return fail(storing, reason);
        }
        // A fetch ahead: its batch fails when its turn comes.
        fetchedAhead.values().stream().filter(f -> f.arrived.size() < f.examplesByShard.size()).findFirst()
                .ifPresent(f -> f.refused = reason);
        return this;
    }

    private void startNext() {
        if (job != null || computingJob >= 0 || settling.size() >= pipelineDepth()) {
            return;
        }
        // No maths runs now, so the streams are still; their states go out before the next batch draws from them.
        for (SnapshotStreams m : snapshots) {
            m.replyTo().tell(new WorkerStreams(id, resources.binarize().state(), resources.noise().state()));
        }
        snapshots.clear();
        if (queued.isEmpty()) {
            return;
        }
        TrainBatch m = queued.poll();
        job = new Job(++jobs, m);
        timers.startSingleTimer(job.id, new TimedOut(job.id), config.stepTimeout());
        if (server == null) {
            fail(job, "no parameter server known");
            return;
        }
        if (prefetched != null) {
            load(prefetched);
        }
        if (pullPending) {
            return; // the step waits for the parameters already asked for (the prefetch behind the last push)
        }
        if (version < 0 || stale || (localUpdates && !replicaExact)
                || knownServerVersion - version > config.maxParameterAge()) {
            pull();
        } else {
            requestInputs();
        }
    }

    private void pull() {
        pullPending = true;
        boolean withState = localUpdates && !replicaExact;
        server.tell(new Pull(getContext().getSelf().narrow(), withState ? getContext().getSelf().narrow() : null));
    }

    private Behavior<Object> onParameters(Parameters p) {
        if (p.momentsFollow()) {
            statePulled = p; // loaded with the moments that follow
            firstMoments = null;
            return this;
        }
        if (localUpdates && !replicaExact) {
            localUpdates = false;
            getContext().getLog().info("worker {}: the server keeps no optimizer state to copy; pulling instead of "
                    + "updating locally", id);
        }
        return takeParameters(p, null);
    }

    private Behavior<Object> onMoments(OptimizerMoments m) {
        if (statePulled == null || m.version() != statePulled.version()) {
            return this;
        }
        if (m.moment() == 1) {
            firstMoments = m;
            return this;
        }
        Parameters p = statePulled;
        OptimizerMoments first = firstMoments;
        statePulled = null;
        firstMoments = null;
        return takeParameters(p, () -> {
            resources.updater().loadOptimizerState(m.steps(), first.values().floats(), m.values().floats());
            replicaExact = true;
            expectedVersions.clear();
        });
    }

    /** Loads pulled parameters (and, with {@code alsoLoad}, the optimizer state) when the replica is free. */
    private Behavior<Object> takeParameters(Parameters p, Runnable alsoLoad) {
        pullPending = false;
        knownServerVersion = Math.max(knownServerVersion, p.version());
        boolean newer = p.version() > version || stale;
        boolean waiting = job != null && job.phase.equals(WAITING_FOR_PARAMETERS);
        if (computingJob >= 0 || (job != null && !waiting)) {
            // The replica must not change under a step that asked for its inputs: keep them for the next step
            // (state pulls happen only before a step, when nothing computes).
            if (newer && alsoLoad == null) {
                prefetched = p;
            }
            return this;
        }
        if (newer || alsoLoad != null) {
            load(p);
            if (alsoLoad != null) {
                alsoLoad.run();
            }
        }
        if (waiting) {
            requestInputs();
        }
        return this;
    }

    private void load(Parameters p) {
        ParameterVector.loadValues(resources.model().params(), p.values().floats());
        version = p.version();
        lastAckVersion = Math.max(lastAckVersion, version); // a later acknowledgement beyond version + 1: others push
        stale = false;
        prefetched = null;
        replicaExact = false; // until the optimizer state of this version is loaded too
    }

    /** The replica is not the server's version any more: pull it (with the state) before the next step. */
    private void replicaDiverged(String why, boolean othersInterleave) {
        replicaExact = false;
        stale = true;
        expectedVersions.clear();
        if (othersInterleave && localUpdates) {
            localUpdates = false;
            getContext().getLog().info("worker {}: {}; pulling instead of updating locally from now on", id, why);
        }
    }

    /** Asks the keepers for the batch's chains and the samplers for the prior's estimate at this version. */
    private void requestInputs() {
        // Never compute without every shard's chains or the whole particle set: that would be a different gradient.
        if ((usesChains && keepers.size() < config.chainShards())
                || (usesSampler && samplers.size() < config.samplers())) {
            fail(job, "a chain keeper or prior sampler is gone (" + keepers.size() + " of " + config.chainShards()
                    + " keepers, " + samplers.size() + " of " + config.samplers() + " samplers known)");
            return;
        }
        job.phase = "waiting for chains and prior estimates";
        if (usesChains) {
            ChainFetch fetch = fetchedAhead.remove(job.batch.step());
            if (fetch == null) {
                fetch = fetchChains(job.batch.examples());
            } else if (fetch.refused != null) {
                fail(job, fetch.refused);
                return;
            }
            job.examplesByShard.putAll(fetch.examplesByShard);
            for (int shard : fetch.examplesByShard.keySet()) {
                ChainStates arrived = fetch.arrived.get(shard);
                if (arrived != null) {
                    takeChains(arrived);
                } else {
                    job.fetching.add(shard);
                }
            }
        }
        if (usesSampler) {
            if (sampledAheadVersion == version && samplers.equals(Set.copyOf(sampledAheadFrom))) {
                job.samplesPending = samplers.size(); // asked for by the step before, while its update ran
                List<Estimate> arrived = List.copyOf(early);
                early.clear();
                arrived.forEach(this::takeEstimate);
            } else {
                early.clear();
                Tensor prior = Sampler.priorTensor(resources.model().prior().asRbm());
                for (ActorRef<SamplerProtocol.Command> sampler : samplers) {
                    sampler.tell(new Sample(version, prior, getContext().getSelf().narrow()));
                    job.samplesPending++;
                }
            }
            sampledAheadVersion = -1;
            sampledAheadFrom = List.of();
        } else {
            job.estimatesReady.complete(List.of());
        }
        maybeCompute();
    }

    private Behavior<Object> onChainStates(ChainStates m) {
        if (job != null && computingJob < 0 && job.fetching.remove(shardOf(job.examplesByShard, m.examples()))) {
            takeChains(m);
            maybeCompute();
            return this;
        }
        for (ChainFetch ahead : fetchedAhead.values()) {
            int shard = shardOf(ahead.examplesByShard, m.examples());
            if (shard >= 0 && !ahead.arrived.containsKey(shard)) {
                ahead.arrived.put(shard, m); // kept until its batch's turn: the replica's store may be in use
                return this;
            }
        }
        return this; // a late reply to a step that failed
    }

    /** Writes fetched chains into the replica's scratch store, for the step about to compute. */
    private void takeChains(ChainStates m) {
        long[] words = m.states().toLongs();
        int perExample = resources.chains().wordsPerExample();
        for (int i = 0; i < m.examples().length; i++) {
            resources.chains().writeWords(m.examples()[i], words, i * perExample);
        }
    }

    private Behavior<Object> onEstimate(Estimate e) {
        if (job != null && job.samplesPending > 0) {
            takeEstimate(e);
        } else {
            early.add(e); // asked for ahead: the step it is for has not asked for its inputs yet
        }
        return this;
    }

    /**
     * Takes a sampler's answer for the step being prepared. A sampler answers a request with its latest estimate,
     * which is newer than asked for when another worker asked for a newer version: that serves too.
     */
    private void takeEstimate(Estimate e) {
        if (e.version() < version || job.estimates.stream().anyMatch(had -> had.samplerId().equals(e.samplerId()))) {
            return; // older than this step, or a second answer from the same sampler
        }
        job.estimates.add(e);
        if (--job.samplesPending == 0) {
            job.estimatesReady.complete(List.copyOf(job.estimates));
        }
    }

    /**
     * Starts the maths once the chains are in: the objective's gradient runs while the samplers still run (on the
     * other core), then log Z's gradient is added once their estimates are in, the reference trainer's arithmetic in
     * its order.
     */
    private void maybeCompute() {
        if (!job.fetching.isEmpty() || computingJob >= 0) {
            return;
        }
        job.phase = "computing (prior estimates " + (job.estimatesReady.isDone() ? "in)" : "pending)");
        job.updateLocally = localUpdates && replicaExact;
        job.version = version;
        job.samplers = usesSampler ? List.copyOf(samplers) : List.of();
        job.nextQueued.set(!queued.isEmpty());
        Job running = job;
        computingJob = running.id;
        CompletableFuture<Computed> done = CompletableFuture.supplyAsync(() -> objectiveGradient(running), math)
                .thenCombineAsync(running.estimatesReady, (values, estimates) -> finishGradient(running, values,
                        estimates), math);
        getContext().pipeToSelf(done,
                (computed, failure) -> failure == null ? computed : new ComputeFailed(running.id, failure));
    }

    /** On the maths dispatcher: the objective's gradient at the batch. */
    private DvaeModel.StepValues objectiveGradient(Job j) {
        DvaeModel model = resources.model();
        int[] examples = j.batch.examples();
        Matrix x = new Matrix(examples.length, model.config().pixels());
        resources.data().fillTrainBatch(examples, x.data, resources.binarize());
        return GradientStep.objectiveGradient(model, x, examples, j.batch.lambda(), resources.noise());
    }

    /** On the maths dispatcher: log Z's gradient added, the push's vector and the batch's new chains, by shard. */
    private Computed finishGradient(Job j, DvaeModel.StepValues values, List<Estimate> estimates) {
        DvaeModel model = resources.model();
        NegativePhase phase = null;
        if (!estimates.isEmpty()) {
            List<Estimate> bySampler = estimates.stream().sorted(Comparator.comparing(Estimate::samplerId)).toList();
            phase = PooledSamplers.negativePhase(bySampler.stream().map(e -> Sampler.negativePhase(e,
                    model.prior().n1(), model.prior().n2())).toList(), particles(bySampler));
        }
        GradientStep.addLogZGradient(model, j.batch.lambda(), phase);
        Tensor gradient = null;
        if (Double.isFinite(values.loss())) { // the gradients are checked as the push's copy is made
            boolean[] finite = new boolean[1];
            Tensor packed = Tensor.writingFloats(ParameterVector.length(model.params()),
                    into -> finite[0] = ParameterVector.writeGradientAndStateChecked(model.params(), into));
            gradient = finite[0] ? packed : null;
        }
        boolean updatedLocally = gradient != null && j.updateLocally;
        List<ActorRef<SamplerProtocol.Command>> sampledAhead = List.of();
        if (updatedLocally) {
            // The push's copy is already made. When the next batch is queued (so no checkpoint comes between, which
            // would snapshot the samplers), its prior sample starts as soon as the prior is updated, beside the rest
            // of the update, as in the reference trainer.
            boolean ahead = !j.samplers.isEmpty() && j.nextQueued.get();
            sampledAhead = ahead ? j.samplers : List.of();
            resources.updater().updateInPlace(j.batch.learningRate(), !ahead ? () -> { } : () -> {
                Tensor prior = Sampler.priorTensor(model.prior().asRbm());
                j.samplers.forEach(sampler -> sampler.tell(new Sample(j.version + 1, prior, estimatesTo)));
            });
        }
        Map<Integer, long[]> states = new HashMap<>();
        if (usesChains) {
            int perExample = resources.chains().wordsPerExample();
            j.examplesByShard.forEach((shard, ex) -> {
                long[] words = new long[ex.length * perExample];
                for (int i = 0; i < ex.length; i++) {
                    resources.chains().readWords(ex[i], words, i * perExample);
                }
                states.put(shard, words);
            });
        }
        return new Computed(j.id, values, gradient, states, updatedLocally, sampledAhead);
    }

    /** The shard whose examples these are, or -1: replies name their examples, not the step. */
    private static int shardOf(Map<Integer, int[]> examplesByShard, int[] examples) {
        for (Map.Entry<Integer, int[]> shard : examplesByShard.entrySet()) {
            if (Arrays.equals(shard.getValue(), examples)) {
                return shard.getKey();
            }
        }
        return -1;
    }

    private static int[] particles(List<Estimate> estimates) {
        return estimates.stream().mapToInt(Estimate::particles).toArray();
    }

    private Behavior<Object> onComputed(Computed c) {
        computingJob = -1;
        if (job == null || job.id != c.job()) {
            if (c.updatedLocally()) {
                replicaDiverged("a step that had failed updated the replica", false); // its push is never sent
            }
            startNext(); // it failed (timed out) while its maths ran
            return this;
        }
        Job done = job;
        job = null;
        done.computed = c;
        done.phase = "storing chains and pushing the gradient";
        ActorRef<ChainKeeperProtocol.Reply> self = getContext().getSelf().narrow();
        int perExample = usesChains ? resources.chains().wordsPerExample() : 0;
        c.states().forEach((shard, words) -> {
            int[] ex = done.examplesByShard.get(shard);
            keepers.get(shard).tell(new StoreChains(ex, Tensor.ofLongs(words, ex.length, perExample), self));
            done.storing.add(shard);
        });
        PushGradient push = null;
        if (c.gradient() != null) {
            done.pushedSeq = ++seq;
            done.awaitingAck = true;
            push = new PushGradient(id, done.pushedSeq, version, done.batch.learningRate(), c.gradient(),
                    getContext().getSelf().narrow());
            if (c.updatedLocally()) {
                version++; // the version this push makes at the server, already in the replica
                expectedVersions.put(done.pushedSeq, version);
                if (!c.sampledAhead().isEmpty()) {
                    sampledAheadVersion = version;
                    sampledAheadFrom = c.sampledAhead();
                }
            }
        }
        settling.add(done);
        maybeFinish(done);
        startNext(); // with a pipeline depth of 2, the next batch computes while this one settles
        if (push != null) {
            // Sent once the next step's maths is under way: in one JVM the server's update of it would otherwise
            // take the cores while this actor starts that step.
            server.tell(push);
        }
        fetchAhead(); // this step's chains are on their way back: a batch that shares examples with it may go
        return this;
    }

    /**
     * The configured depth while this worker's pushes are the only ones; 1 once another's came between two of its
     * own: then the other workers already overlap the wire with maths, and a second step of this one would only add
     * staleness (two pipelined workers on a model with millisecond steps had pushes dropped as too stale).
     */
    private int pipelineDepth() {
        return othersPushing ? 1 : config.pipelineDepth();
    }

    private Behavior<Object> onAck(Ack a) {
        if (!a.duplicate()) {
            othersPushing |= lastAckVersion >= 0 && a.version() > lastAckVersion + 1;
            lastAckVersion = Math.max(lastAckVersion, a.version());
        }
        knownServerVersion = Math.max(knownServerVersion, a.version());
        Long expected = expectedVersions.remove(a.seq());
        if (expected != null && (a.duplicate() || a.version() != expected || a.stepScale() != 1f)) {
            replicaDiverged("push " + a.seq() + " made version " + a.version() + " at scale " + a.stepScale()
                    + ", not version " + expected + " as in the replica (others' pushes interleave)", true);
        }
        Job j = awaitingAck(a.seq());
        if (j != null) {
            j.awaitingAck = false;
            if (pipelineDepth() > 1 && !pullPending && !localUpdates) {
                pull(); // fetched behind the push, for the step after the one that may already compute
            }
            maybeFinish(j);
        }
        return this;
    }

    /** The first settling job that matches, or null. */
    private Job settlingWhere(Predicate<Job> matches) {
        return settling.stream().filter(matches).findFirst().orElse(null);
    }

    /** The settling job whose push {@code seq} is not acknowledged yet, or null. */
    private Job awaitingAck(long seq) {
        return settlingWhere(j -> j.awaitingAck && j.pushedSeq == seq);
    }

    private void maybeFinish(Job j) {
        if (j.computed == null || !j.storing.isEmpty() || j.awaitingAck) {
            return;
        }
        Computed c = j.computed;
        TrainBatch b = j.batch;
        if (c.gradient() == null) {
            b.replyTo().tell(new BatchFailed(id, b.step(), "non-finite loss or gradient (loss " + c.values().loss()
                    + ")", true));
        } else {
            double[] logZ = j.estimates.stream().mapToDouble(Estimate::logZ).toArray();
            double ess = j.estimates.stream().mapToDouble(Estimate::essFraction).average().orElse(Double.NaN);
            b.replyTo().tell(new BatchTrained(id, b.step(), j.pushedSeq, c.values().loss(),
                    c.values().logLikelihood(), c.values().klOrLogRatio(), logZ.length == 0 ? Double.NaN
                    : PooledSamplers.logZ(logZ, particles(j.estimates)), ess));
        }
        timers.cancel(j.id);
        settling.remove(j);
        startNext();
    }

    /** Ends the job (null: nothing to end) with a failure outcome. */
    private Behavior<Object> fail(Job j, String reason) {
        if (j != null) {
            getContext().getLog().warn("worker {}: step {} failed: {}", id, j.batch.step(), reason);
            j.batch.replyTo().tell(new BatchFailed(id, j.batch.step(), reason, false));
            timers.cancel(j.id);
            j.estimatesReady.completeExceptionally(new IllegalStateException(reason)); // ends waiting maths
            if (j == job) {
                job = null;
            } else {
                settling.remove(j);
            }
            startNext();
        }
        return this;
    }
}
