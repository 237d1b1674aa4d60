package dvae.actors;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import dvae.cli.Settings;
import dvae.math.data.Dataset;
import dvae.math.model.DvaeModel;
import dvae.math.model.ModelConfig;
import dvae.math.model.ModelConfig.ObjectiveKind;
import dvae.math.model.ModelConfig.PosteriorKind;
import dvae.math.optim.LearningRateSchedule;
import dvae.math.random.RandomStream;
import dvae.math.run.Checkpoint;
import dvae.math.run.CheckpointClock;
import dvae.math.run.Checkpoints;
import dvae.math.run.JsonFiles;
import dvae.math.run.MetricsLog;
import dvae.math.run.RandomStates;
import dvae.math.run.RunDirectory;
import dvae.math.train.BatchOrder;
import dvae.math.train.ParameterVector;
import dvae.math.train.ResumePoint;
import dvae.math.train.StepReport;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.math.train.Validation;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.SamplerProtocol;
import dvae.protocols.WorkerProtocol;
import dvae.protocols.WorkerProtocol.BatchFailed;
import dvae.protocols.WorkerProtocol.BatchTrained;
import dvae.protocols.WorkerProtocol.TrainBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The coordinator drives a run as the reference {@link Trainer} does, with workers instead of one loop: it draws
 * batches from the {@link BatchOrder}, stamps each with its step's warm-up factor and learning rate, hands it to an
 * idle worker, logs the outcomes to {@code metrics.jsonl}, and at every validation step lets the batches in flight
 * settle, then validates the server's parameters and writes a checkpoint (model and Adam state from the server,
 * chain shards from the keepers) before it goes on. Every step ends trained or skipped: a non-finite step, a failed
 * one, and one whose worker left or did not answer in time all count as skipped, so trained + skipped = steps.
 * When the actor system shuts down (Ctrl-C or SIGTERM through Akka's JVM hook), it hands out no more batches, lets
 * those in flight settle, writes a checkpoint at the last step and ends the run, before the system goes on stopping.
 *
 * <p>The validation model, the checkpoint folders and the run directory are on the coordinator's machine, which
 * must also be the parameter server's and the chain keepers' (they write into the same checkpoint folder).
 */
public final class Coordinator extends AbstractBehavior<Object> {

    /**
     * @param startWithWorkers workers to wait for before the first batch (more may join later)
     * @param chainShards      chain keepers a resumed run restores before its first batch (RBM posteriors)
     * @param batchesPerWorker batches a worker holds at once: its pipeline depth
     */
    public record Config(int startWithWorkers, Duration batchTimeout, String mathDispatcher, int chainShards,
                         int batchesPerWorker) {
        /** Reads {@code dvae.actors.coordinator}, {@code chain-shards}, the pipeline depth and the maths dispatcher. */
        public static Config from(Settings s, int startWithWorkers) {
            return new Config(startWithWorkers, s.config().getDuration("dvae.actors.coordinator.batch-timeout"),
                    s.string("dvae.actors.math-dispatcher"), s.intAtLeast("dvae.actors.chain-shards", 1),
                    Worker.Config.from(s).pipelineDepth());
        }
    }

    /** The run to drive; {@code done} completes with its summary, or exceptionally when it stops early. */
    public record Run(ModelConfig model, TrainConfig training, Dataset data, RunDirectory directory,
                      Trainer.Listener listener, CompletableFuture<Trainer.Summary> done) {
    }

    public static Behavior<Void> create(Config config, Run run) {
        return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> new Coordinator(ctx, timers, config,
                run))).narrow();
    }

    // Local messages of the actor to itself, never serialized.
    private record Listing(Receptionist.Listing listing) implements NoSerializationVerificationNeeded {
    }

    private record TimedOut(long step) implements NoSerializationVerificationNeeded {
    }

    private record Validated(double validLoss, Throwable failure) implements NoSerializationVerificationNeeded {
    }

    /** From the JVM's shutdown (Ctrl-C, SIGTERM): checkpoint the steps trained so far and end the run. */
    private record StopRequested() implements NoSerializationVerificationNeeded {
    }

    private record Restored(ActorRef<ChainKeeperProtocol.Command> keeper, Path checkpoint,
                            ChainKeeperProtocol.Reply reply, Throwable failure)
            implements NoSerializationVerificationNeeded {
    }

    /** What a checkpoint asks for, taken on the actor's thread for the checkpoint writer. */
    private record Holders(ActorRef<ParameterServerProtocol.Command> server,
                           Set<ActorRef<ChainKeeperProtocol.Command>> keepers,
                           Set<ActorRef<SamplerProtocol.Command>> samplers,
                           Set<ActorRef<WorkerProtocol.Command>> workers) {
    }

    private static final String VALIDATION_STREAM = "validation";
    private static final String ORDER_STREAM = "data-order";
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WORKER_STREAMS_TIMEOUT = Duration.ofSeconds(10);

    /** A batch handed out: to whom, and what its step's metrics need. */
    private record InFlight(ActorRef<WorkerProtocol.Command> worker, long epoch, double lambda, double rate) {
    }

    private final Config config;
    private final Run run;
    private final TimerScheduler<Object> timers;
    private final Executor math;
    private final Scheduler scheduler;
    private final TrainConfig training;
    private final RandomStream orderStream;
    private final BatchOrder order;
    private final LearningRateSchedule schedule;
    private final RandomStream validation;
    private final DvaeModel validationModel;
    private final Checkpoints checkpoints;
    private final MetricsLog metrics;
    private final CheckpointClock clock;
    private final boolean paSampler;
    private ActorRef<ParameterServerProtocol.Command> server;
    private Set<ActorRef<ChainKeeperProtocol.Command>> keepers = Set.of();
    private final Set<ActorRef<ChainKeeperProtocol.Command>> restoring = new HashSet<>();
    private Set<ActorRef<SamplerProtocol.Command>> samplers = Set.of();
    private final int keepersBeforeStart;
    private Set<ActorRef<WorkerProtocol.Command>> workers = Set.of();
    // A worker appears here once per batch it can take on top of those it holds (its free pipeline slots).
    private final ArrayDeque<ActorRef<WorkerProtocol.Command>> idle = new ArrayDeque<>();
    private final Map<Long, InFlight> inFlight = new HashMap<>();
    private boolean started;
    private boolean barrier;
    private boolean validating;
    private boolean stopping;
    private long handedOut;
    /** The step of the last checkpoint (the one resumed from, at first). */
    private long checkpointed;
    private long skipped;
    private long nonFiniteInRow;
    private double lastLoss = Double.NaN;
    private Double bestValid;
    private long startedAt;
    private long windowStart;
    /** When the validation under way began (its time is left out of the steps' rate). */
    private long validationStart;
    private long windowSteps;

    private Coordinator(ActorContext<Object> ctx, TimerScheduler<Object> timers, Config config, Run run) {
        super(ctx);
        this.config = config;
        this.run = run;
        this.timers = timers;
        this.math = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(config.mathDispatcher()));
        this.scheduler = ctx.getSystem().scheduler();
        this.training = run.training();
        long seed = training.seed();
        // The reference trainer's streams, by the same purpose names: one synchronous worker replays its run.
        this.orderStream = RandomStream.forPurpose(seed, ORDER_STREAM);
        this.order = new BatchOrder(run.data().trainSize(), training.batchSize(), orderStream);
        this.schedule = new LearningRateSchedule(training.learningRate(), training.iterations());
        this.validation = RandomStream.forPurpose(seed, VALIDATION_STREAM);
        this.validationModel = new DvaeModel(run.model(), run.data().meanPixel(), null,
                RandomStream.forPurpose(seed, "init"));
        this.checkpoints = run.directory().checkpoints(training.keepCheckpoints());
        this.metrics = run.directory().openMetrics();
        this.clock = new CheckpointClock(run.listener().checkpointMinutes());
        this.paSampler = training.priorSampler().equals("pa") && run.model().objective() != ObjectiveKind.STRUCT;
        Checkpoint resume = run.directory().resumePoint().orElse(null);
        // A resumed run's keepers must hold their restored shards before any worker reads a chain.
        this.keepersBeforeStart = resume != null && run.model().posterior() == PosteriorKind.RBM
                ? config.chainShards() : 0;
        if (resume != null) {
            // The rest of the run's state (server, samplers, workers) is restored by its roles (TrainingRoles).
            order.restore(JsonFiles.read(resume.file(Trainer.ORDER_FILE), BatchOrder.Position.class));
            Map<String, long[]> streams = RandomStates.read(resume.file(Trainer.RANDOM_FILE));
            orderStream.restore(streams.get(ORDER_STREAM)); // it shuffles each new epoch
            validation.restore(streams.get(VALIDATION_STREAM));
            handedOut = resume.step();
        }
        checkpointed = handedOut;
        // The system's shutdown (started by the JVM's on Ctrl-C or SIGTERM) waits, in its first phase, while the
        // steps in flight settle and a checkpoint is written (akka.coordinated-shutdown.phases.before-service-unbind
        // bounds the wait), so a stopped run loses nothing it trained.
        ActorRef<Object> self = ctx.getSelf();
        CompletableFuture<Trainer.Summary> done = run.done();
        CoordinatedShutdown.get(ctx.getSystem()).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
                "checkpoint-and-stop", () -> {
                    if (!done.isDone()) {
                        self.tell(new StopRequested());
                    }
                    return done.handle((summary, failure) -> Done.getInstance());
                });
        ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listing::new);
        for (var key : List.of(ParameterServerProtocol.SERVICE_KEY, ChainKeeperProtocol.SERVICE_KEY,
                SamplerProtocol.SERVICE_KEY, WorkerProtocol.SERVICE_KEY)) {
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(key, listings));
        }
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
                .onMessage(Listing.class, this::onListing)
                .onMessage(BatchTrained.class, this::onTrained)
                .onMessage(BatchFailed.class, m -> onSkipped(m.step(), m.workerId(), m.reason(), m.nonFinite()))
                .onMessage(TimedOut.class, m -> onSkipped(m.step(), "?", "no outcome within "
                        + config.batchTimeout(), false))
                .onMessage(Parameters.class, this::onParameters)
                .onMessage(Validated.class, this::onValidated)
                .onMessage(Restored.class, this::onRestored)
                .onMessage(StopRequested.class, m -> onStopRequested())
                .build();
    }

    private Behavior<Object> onListing(Listing m) {
        Receptionist.Listing listing = m.listing();
        if (listing.isForKey(ParameterServerProtocol.SERVICE_KEY)) {
            server = listing.getServiceInstances(ParameterServerProtocol.SERVICE_KEY).stream().findFirst()
                    .orElse(null);
        } else if (listing.isForKey(ChainKeeperProtocol.SERVICE_KEY)) {
            Set<ActorRef<ChainKeeperProtocol.Command>> now = listing.getServiceInstances(
                    ChainKeeperProtocol.SERVICE_KEY);
            // A keeper that (re)appears, on a resumed run or after its node left, starts from the latest snapshot.
            Checkpoint latest = checkpoints.latest().orElse(null);
            for (ActorRef<ChainKeeperProtocol.Command> k : now) {
                if (!keepers.contains(k) && latest != null) {
                    restore(k, latest.dir());
                }
            }
            keepers = now;
            restoring.retainAll(now);
        } else if (listing.isForKey(SamplerProtocol.SERVICE_KEY)) {
            samplers = listing.getServiceInstances(SamplerProtocol.SERVICE_KEY);
        } else {
            Set<ActorRef<WorkerProtocol.Command>> now = listing.getServiceInstances(WorkerProtocol.SERVICE_KEY);
            for (ActorRef<WorkerProtocol.Command> w : now) {
                if (!workers.contains(w)) {
                    for (int slot = 0; slot < config.batchesPerWorker(); slot++) {
                        freeSlot(w);
                    }
                    logWorkerEvent("worker joined", w, now.size());
                }
            }
            for (ActorRef<WorkerProtocol.Command> w : workers) {
                if (!now.contains(w)) {
                    logWorkerEvent("worker left", w, now.size());
                }
            }
            workers = now;
            idle.retainAll(now);
            // Batches of a worker that is gone (its node left or became unreachable) will not come back.
            for (Map.Entry<Long, InFlight> e : List.copyOf(inFlight.entrySet())) {
                if (!now.contains(e.getValue().worker())) {
                    onSkipped(e.getKey(), e.getValue().worker().path().name(), "its worker left", false);
                }
            }
        }
        if (!maybeStart()) {
            return finish(null);
        }
        dispatch();
        return this;
    }

    /** Starts handing out batches once the system is complete; false when a resumed run had nothing left to do. */
    private boolean maybeStart() {
        if (!started && server != null && workers.size() >= config.startWithWorkers()
                && keepers.size() >= keepersBeforeStart && restoring.isEmpty()) {
            started = true;
            startedAt = windowStart = System.nanoTime();
            clock.restart();
            getContext().getLog().info("training starts with {} workers", workers.size());
            return handedOut < training.iterations(); // a run resumed from its final checkpoint is already done
        }
        return true;
    }

    private void restore(ActorRef<ChainKeeperProtocol.Command> keeper, Path checkpoint) {
        restoring.add(keeper);
        getContext().ask(ChainKeeperProtocol.Reply.class, keeper, Duration.ofSeconds(60),
                replyTo -> new ChainKeeperProtocol.RestoreChains(checkpoint.toString(), replyTo),
                (reply, failure) -> new Restored(keeper, checkpoint, reply, failure));
    }

    /** Logs how many of the keeper's chains were re-initialised rather than restored. */
    private Behavior<Object> onRestored(Restored r) {
        restoring.remove(r.keeper());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", handedOut);
        m.put("keeper", r.keeper().path().toString());
        m.put("checkpoint", r.checkpoint().getFileName().toString());
        if (r.reply() instanceof ChainKeeperProtocol.ChainsRestored restored) {
            m.put("event", "chains restored");
            m.put("reinitialised", restored.reinitialised());
        } else {
            m.put("event", "chains not restored");
            m.put("reason", r.failure() != null ? r.failure().toString() : String.valueOf(r.reply()));
        }
        getContext().getLog().info("{}", m);
        metrics.write(m);
        if (!maybeStart()) {
            return finish(null);
        }
        dispatch();
        return this;
    }

    private Behavior<Object> onStopRequested() {
        if (stopping) {
            return this;
        }
        stopping = true;
        barrier = true; // no more batches; the checkpoint starts once those in flight have settled
        if (handedOut == checkpointed && inFlight.isEmpty()) {
            return finish(null); // nothing trained since the last checkpoint
        }
        dispatch();
        return this;
    }

    private void logWorkerEvent(String event, ActorRef<WorkerProtocol.Command> worker, int workersNow) {
        getContext().getLog().info("{}: {} ({} workers)", event, worker.path(), workersNow);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", handedOut);
        m.put("event", event);
        m.put("worker", worker.path().toString());
        m.put("workers", workersNow);
        metrics.write(m);
    }

    /** Hands batches to idle workers until the next validation step or a checkpoint due by the clock. */
    private void dispatch() {
        if (started && !barrier && handedOut > checkpointed && clock.due()) {
            barrier = true;
        }
        while (started && !barrier && restoring.isEmpty() && handedOut < training.iterations() && !idle.isEmpty()) {
            ActorRef<WorkerProtocol.Command> worker = idle.poll();
            long step = handedOut++;
            int[] batch = order.next();
            double lambda = training.lambda(run.model().objective(), step);
            double rate = schedule.rate(step);
            inFlight.put(step, new InFlight(worker, order.epoch(), lambda, rate));
            timers.startSingleTimer(step, new TimedOut(step), config.batchTimeout());
            worker.tell(new TrainBatch(step, batch, lambda, rate, getContext().getSelf().narrow()));
            if (handedOut % training.validEvery() == 0 || handedOut == training.iterations()) {
                barrier = true;
            }
        }
        if (barrier && inFlight.isEmpty() && !validating && server != null) {
            validating = true;
            server.tell(new Pull(getContext().getSelf().narrow(), null));
        }
    }

    /** Offers the worker one more batch, unless it already holds or is offered as many as its pipeline is deep. */
    private void freeSlot(ActorRef<WorkerProtocol.Command> worker) {
        long held = inFlight.values().stream().filter(f -> f.worker().equals(worker)).count()
                + idle.stream().filter(worker::equals).count();
        if (held < config.batchesPerWorker()) {
            idle.add(worker);
        }
    }

    /** The outcome's batch, no longer in flight (null if it was settled before); its worker is free again. */
    private InFlight settle(long step) {
        InFlight f = inFlight.remove(step);
        if (f != null) {
            timers.cancel(step);
            windowSteps++;
            if (workers.contains(f.worker())) {
                freeSlot(f.worker());
            }
        }
        return f;
    }

    private Behavior<Object> onTrained(BatchTrained t) {
        InFlight f = settle(t.step());
        if (f == null) {
            return this;
        }
        nonFiniteInRow = 0;
        lastLoss = t.loss();
        long step = t.step() + 1;
        if (step % training.logEvery() == 0 || step == training.iterations()) {
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            Map<String, Object> m = StepReport.stepMetrics(step, f.epoch(), run.model().objective(),
                    new DvaeModel.StepValues(t.loss(), t.logLikelihood(), t.klOrLogRatio()), f.lambda(), f.rate(),
                    run.model().objective() == ObjectiveKind.STRUCT ? null : t.priorLogZ(),
                    paSampler ? t.priorEssFraction() : null, windowSteps / seconds, skipped);
            windowStart = System.nanoTime();
            windowSteps = 0;
            metrics.write(m);
            run.listener().onLog(m);
        }
        dispatch();
        return this;
    }

    private Behavior<Object> onSkipped(long step, String worker, String reason, boolean nonFinite) {
        if (settle(step) == null) {
            return this;
        }
        skipped++;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step + 1);
        m.put("event", nonFinite ? "non-finite step skipped" : "step failed, skipped");
        m.put("worker", worker);
        m.put("reason", reason);
        metrics.write(m);
        if (nonFinite && ++nonFiniteInRow >= training.maxNonFiniteSteps()) {
            return finish(new Trainer.TrainingDiverged("training stopped at step " + (step + 1) + " after "
                    + nonFiniteInRow + " non-finite steps in a row; the last good checkpoint in "
                    + checkpoints.latest().map(c -> c.dir().toString()).orElse("(none yet)") + " is intact"));
        }
        dispatch();
        return this;
    }

    private Behavior<Object> onParameters(Parameters p) {
        if (!validating) {
            return this;
        }
        long step = handedOut;
        validationStart = System.nanoTime();
        // A stop or a timed checkpoint between validations checkpoints without one; at a validation step the
        // validation still runs.
        boolean validate = step % training.validEvery() == 0 || step == training.iterations();
        Holders holders = new Holders(server, keepers, samplers, workers);
        String eventWithoutValidation = stopping ? Trainer.STOPPED_EVENT : Trainer.TIMED_CHECKPOINT_EVENT;
        // No batch is in flight until this completes, so nothing else touches the metrics log meanwhile.
        // A failure comes with a null loss, which must not be unboxed (that would crash the coordinator silently).
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> validateAndCheckpoint(step, p, holders, validate,
                        eventWithoutValidation), math),
                (valid, failure) -> new Validated(valid == null ? Double.NaN : valid, failure));
        return this;
    }

    /**
     * Without validation (a stop, a timed checkpoint) the checkpoint has no score and the validation stream is left
     * where it was.
     */
    private double validateAndCheckpoint(long step, Parameters p, Holders holders, boolean validate,
                                         String eventWithoutValidation) {
        ParameterVector.loadValues(validationModel.params(), p.values().floats());
        Validation valid = validate ? Validation.measure(validationModel, run.data(), training, validation,
                examples -> run.listener().validationProgress(step, examples))
                .pairedWithBestIn(metrics.file(), step) : null;
        if (valid != null) {
            metrics.write(valid.metrics(step));
        }
        long checkpointStart = System.nanoTime();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("model", run.model().label());
        metadata.put("dataset", run.data().name());
        metadata.put(ResumePoint.PARAMETER_VERSION_KEY, p.version());
        metadata.put(ResumePoint.ENGINE_KEY, ResumePoint.ACTORS);
        checkpoints.save(step, metadata, valid == null ? null : valid.score(), dir -> {
            writeServerCheckpoint(dir, holders.server());
            for (ActorRef<ChainKeeperProtocol.Command> keeper : holders.keepers()) {
                ChainKeeperProtocol.Reply r = ask(keeper, replyTo -> new ChainKeeperProtocol.SnapshotChains(
                        dir.toString(), replyTo), CHECKPOINT_TIMEOUT);
                if (r instanceof ChainKeeperProtocol.ChainsRefused refused) {
                    throw new IOException(refused.reason());
                }
            }
            for (ActorRef<SamplerProtocol.Command> sampler : holders.samplers()) {
                SamplerProtocol.SamplerSnapshotted r = ask(sampler, replyTo -> new SamplerProtocol.SnapshotSampler(
                        dir.toString(), replyTo), CHECKPOINT_TIMEOUT);
                if (r.failure() != null) {
                    throw new IOException(r.failure());
                }
            }
            JsonFiles.write(dir.resolve(Trainer.RANDOM_FILE), randomStates(holders.workers()));
            JsonFiles.write(dir.resolve(Trainer.ORDER_FILE), order.position());
            JsonFiles.write(dir.resolve(Trainer.TRAIN_FILE), training);
        });
        if (valid == null) {
            metrics.write(Trainer.checkpointEvent(step, eventWithoutValidation, checkpointStart));
            return Double.NaN;
        }
        run.listener().onValidation(step, valid, run.directory(), validationModel);
        return valid.loss();
    }

    /**
     * The validation stream and every worker's streams, by the names {@link TrainingRoles} gives them. A worker that
     * does not answer (its node is going) is left out: a resumed run starts its streams afresh, only exact replay
     * is lost, not the checkpoint.
     */
    private Map<String, long[]> randomStates(Set<ActorRef<WorkerProtocol.Command>> of) {
        Map<String, long[]> states = new LinkedHashMap<>();
        states.put(ORDER_STREAM, orderStream.state());
        states.put(VALIDATION_STREAM, validation.state());
        for (ActorRef<WorkerProtocol.Command> worker : of) {
            try {
                WorkerProtocol.WorkerStreams s = ask(worker, WorkerProtocol.SnapshotStreams::new,
                        WORKER_STREAMS_TIMEOUT);
                states.put(TrainingRoles.workerStream("binarize", s.workerId()), s.binarize());
                states.put(TrainingRoles.workerStream("noise", s.workerId()), s.noise());
            } catch (IOException e) {
                getContext().getLog().warn("checkpoint without the streams of {}: {}", worker.path(), e.getMessage());
            }
        }
        return states;
    }

    private void writeServerCheckpoint(Path dir, ActorRef<ParameterServerProtocol.Command> server)
            throws IOException {
        ParameterServerProtocol.CheckpointReply r = ask(server, replyTo -> new ParameterServerProtocol.Checkpoint(
                dir.toString(), replyTo), CHECKPOINT_TIMEOUT);
        if (r instanceof ParameterServerProtocol.CheckpointFailed failed) {
            throw new IOException("the parameter server's checkpoint failed: " + failed.reason());
        }
    }

    /** A blocking ask, for the checkpoint writer on the maths dispatcher (never on the actor's own thread). */
    private <Q, R> R ask(ActorRef<Q> to, akka.japi.function.Function<ActorRef<R>, Q> message, Duration timeout)
            throws IOException {
        try {
            return AskPattern.ask(to, message, timeout, scheduler).toCompletableFuture().get();
        } catch (Exception e) {
            throw new IOException("no checkpoint answer from " + to.path() + ": " + e, e);
        }
    }

    private Behavior<Object> onValidated(Validated v) {
        validating = false;
        clock.restart();
        checkpointed = handedOut;
        if (v.failure() != null) {
            return finish(v.failure());
        }
        if (Double.isFinite(v.validLoss()) && (bestValid == null || v.validLoss() < bestValid)) {
            bestValid = v.validLoss();
        }
        barrier = false;
        windowStart += System.nanoTime() - validationStart; // steps_per_s counts training steps only
        if (handedOut == training.iterations() || stopping) {
            return finish(null);
        }
        dispatch();
        return this;
    }

    private Behavior<Object> finish(Throwable failure) {
        metrics.close();
        if (failure != null) {
            run.done().completeExceptionally(failure);
        } else {
            run.done().complete(new Trainer.Summary(handedOut, skipped, lastLoss, bestValid,
                    Math.round((System.nanoTime() - startedAt) / 1e9)));
        }
        return Behaviors.stopped();
    }
}
