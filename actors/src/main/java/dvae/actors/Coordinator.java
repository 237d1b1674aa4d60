package dvae.actors;

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
import dvae.math.optim.LearningRateSchedule;
import dvae.math.random.RandomStream;
import dvae.math.run.Checkpoint;
import dvae.math.run.Checkpoints;
import dvae.math.run.JsonFiles;
import dvae.math.run.MetricsLog;
import dvae.math.run.RunDirectory;
import dvae.math.train.BatchOrder;
import dvae.math.train.ParameterVector;
import dvae.math.train.StepReport;
import dvae.math.train.TrainConfig;
import dvae.math.train.Trainer;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Parameters;
import dvae.protocols.ParameterServerProtocol.Pull;
import dvae.protocols.WorkerProtocol;
import dvae.protocols.WorkerProtocol.BatchFailed;
import dvae.protocols.WorkerProtocol.BatchTrained;
import dvae.protocols.WorkerProtocol.TrainBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
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
 *
 * <p>The validation model, the checkpoint folders and the run directory are on the coordinator's machine, which
 * must also be the parameter server's and the chain keepers' (they write into the same checkpoint folder).
 */
public final class Coordinator extends AbstractBehavior<Object> {

    /** @param startWithWorkers workers to wait for before the first batch (more may join later) */
    public record Config(int startWithWorkers, Duration batchTimeout, String mathDispatcher) {
        /** Reads {@code dvae.actors.coordinator} and the maths dispatcher. */
        public static Config from(Settings s, int startWithWorkers) {
            return new Config(startWithWorkers, s.config().getDuration("dvae.actors.coordinator.batch-timeout"),
                    s.string("dvae.actors.math-dispatcher"));
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

    /** A batch handed out: to whom, and what its step's metrics need. */
    private record InFlight(ActorRef<WorkerProtocol.Command> worker, long epoch, double lambda, double rate) {
    }

    private final Config config;
    private final Run run;
    private final TimerScheduler<Object> timers;
    private final Executor math;
    private final Scheduler scheduler;
    private final TrainConfig training;
    private final BatchOrder order;
    private final LearningRateSchedule schedule;
    private final RandomStream validation;
    private final DvaeModel validationModel;
    private final Checkpoints checkpoints;
    private final MetricsLog metrics;
    private final boolean paSampler;
    private ActorRef<ParameterServerProtocol.Command> server;
    private Set<ActorRef<ChainKeeperProtocol.Command>> keepers = Set.of();
    private Set<ActorRef<WorkerProtocol.Command>> workers = Set.of();
    private final ArrayDeque<ActorRef<WorkerProtocol.Command>> idle = new ArrayDeque<>();
    private final Map<Long, InFlight> inFlight = new HashMap<>();
    private boolean started;
    private boolean barrier;
    private boolean validating;
    private long handedOut;
    private long skipped;
    private long nonFiniteInRow;
    private double lastLoss = Double.NaN;
    private double lastLogZ = Double.NaN;
    private Double bestValid;
    private long startedAt;
    private long windowStart;
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
        this.order = new BatchOrder(run.data().trainSize(), training.batchSize(),
                RandomStream.forPurpose(seed, "data-order"));
        this.schedule = new LearningRateSchedule(training.learningRate(), training.iterations());
        this.validation = RandomStream.forPurpose(seed, "validation");
        this.validationModel = new DvaeModel(run.model(), run.data().meanPixel(), null,
                RandomStream.forPurpose(seed, "init"));
        this.checkpoints = run.directory().checkpoints(training.keepCheckpoints());
        this.metrics = run.directory().openMetrics();
        this.paSampler = training.priorSampler().equals("pa") && run.model().objective() != ObjectiveKind.STRUCT;
        ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Listing::new);
        for (var key : List.of(ParameterServerProtocol.SERVICE_KEY, ChainKeeperProtocol.SERVICE_KEY,
                WorkerProtocol.SERVICE_KEY)) {
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
                .build();
    }

    private Behavior<Object> onListing(Listing m) {
        Receptionist.Listing listing = m.listing();
        if (listing.isForKey(ParameterServerProtocol.SERVICE_KEY)) {
            server = listing.getServiceInstances(ParameterServerProtocol.SERVICE_KEY).stream().findFirst()
                    .orElse(null);
        } else if (listing.isForKey(ChainKeeperProtocol.SERVICE_KEY)) {
            keepers = listing.getServiceInstances(ChainKeeperProtocol.SERVICE_KEY);
        } else {
            Set<ActorRef<WorkerProtocol.Command>> now = listing.getServiceInstances(WorkerProtocol.SERVICE_KEY);
            for (ActorRef<WorkerProtocol.Command> w : now) {
                if (!workers.contains(w)) {
                    idle.add(w);
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
        if (!started && server != null && workers.size() >= config.startWithWorkers()) {
            started = true;
            startedAt = windowStart = System.nanoTime();
            getContext().getLog().info("training starts with {} workers", workers.size());
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

    /** Hands batches to idle workers until the next validation step. */
    private void dispatch() {
        while (started && !barrier && handedOut < training.iterations() && !idle.isEmpty()) {
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
            server.tell(new Pull(getContext().getSelf().narrow()));
        }
    }

    /** The outcome's batch, no longer in flight (null if it was settled before); its worker is free again. */
    private InFlight settle(long step) {
        InFlight f = inFlight.remove(step);
        if (f != null) {
            timers.cancel(step);
            windowSteps++;
            if (workers.contains(f.worker()) && !idle.contains(f.worker())) {
                idle.add(f.worker());
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
        lastLogZ = t.priorLogZ();
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
        // No batch is in flight until this completes, so nothing else touches the metrics log meanwhile.
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> validateAndCheckpoint(step, p), math),
                Validated::new);
        return this;
    }

    private double validateAndCheckpoint(long step, Parameters p) {
        ParameterVector.loadValues(validationModel.params(), p.values().floats());
        double valid = StepReport.validationLoss(validationModel, run.data(), training, lastLogZ, validation);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.put("valid_loss", valid);
        metrics.write(line);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("model", run.model().label());
        metadata.put("dataset", run.data().name());
        metadata.put("parameter_version", p.version());
        Checkpoint.Score score = Double.isFinite(valid) ? new Checkpoint.Score("valid_loss", valid) : null;
        checkpoints.save(step, metadata, score, dir -> {
            writeServerCheckpoint(dir);
            for (ActorRef<ChainKeeperProtocol.Command> keeper : keepers) {
                ChainKeeperProtocol.Reply r = ask(keeper, replyTo -> new ChainKeeperProtocol.SnapshotChains(
                        dir.toString(), replyTo));
                if (r instanceof ChainKeeperProtocol.ChainsRefused refused) {
                    throw new IOException(refused.reason());
                }
            }
            JsonFiles.write(dir.resolve(Trainer.TRAIN_FILE), training);
        });
        run.listener().onValidation(step, valid, run.directory(), validationModel);
        return valid;
    }

    private void writeServerCheckpoint(Path dir) throws IOException {
        ParameterServerProtocol.CheckpointReply r = ask(server, replyTo -> new ParameterServerProtocol.Checkpoint(
                dir.toString(), replyTo));
        if (r instanceof ParameterServerProtocol.CheckpointFailed failed) {
            throw new IOException("the parameter server's checkpoint failed: " + failed.reason());
        }
    }

    /** A blocking ask, for the checkpoint writer on the maths dispatcher (never on the actor's own thread). */
    private <Q, R> R ask(ActorRef<Q> to, akka.japi.function.Function<ActorRef<R>, Q> message) throws IOException {
        try {
            return AskPattern.ask(to, message, Duration.ofSeconds(60), scheduler).toCompletableFuture().get();
        } catch (Exception e) {
            throw new IOException("no checkpoint answer from " + to.path() + ": " + e, e);
        }
    }

    private Behavior<Object> onValidated(Validated v) {
        validating = false;
        if (v.failure() != null) {
            return finish(v.failure());
        }
        if (Double.isFinite(v.validLoss()) && (bestValid == null || v.validLoss() < bestValid)) {
            bestValid = v.validLoss();
        }
        barrier = false;
        if (handedOut == training.iterations()) {
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
