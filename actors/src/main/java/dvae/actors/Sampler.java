package dvae.actors;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dvae.math.rbm.NegativePhase;
import dvae.math.rbm.PopulationAnnealingSampler;
import dvae.math.rbm.PriorSampler;
import dvae.math.rbm.Rbm;
import dvae.math.run.JsonFiles;
import dvae.math.train.ResumePoint;
import dvae.protocols.SamplerProtocol.Command;
import dvae.protocols.SamplerProtocol.Estimate;
import dvae.protocols.SamplerProtocol.Sample;
import dvae.protocols.SamplerProtocol.SamplerSnapshotted;
import dvae.protocols.SamplerProtocol.SnapshotSampler;
import dvae.protocols.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A prior sampler (see {@link dvae.protocols.SamplerProtocol}): moves its particles, on the maths dispatcher, at
 * most once per parameter version, to the newest version asked for, and answers every request at or below the
 * version of its latest estimate with that estimate. So with one synchronous worker it steps exactly once per
 * training step, as the reference trainer's sampler does.
 */
public final class Sampler extends AbstractBehavior<Object> {

    /** Sampler {@code index} of the run: its id is {@link #id}, its checkpoint file {@link ResumePoint#actorSamplerFile}. */
    public static Behavior<Command> create(int index, PriorSampler sampler, int n1, int n2, int particles,
                                           String mathDispatcher) {
        return Behaviors.<Object>setup(ctx -> new Sampler(ctx, index, sampler, n1, n2, particles, mathDispatcher))
                .narrow();
    }

    /** The id of sampler {@code index}, which tags its estimates and names its actor. */
    public static String id(int index) {
        return "sampler-" + index;
    }

    /** The prior's parameters as one float32 tensor: W (n1 × n2 row-major), b1, b2. */
    public static Tensor priorTensor(Rbm rbm) {
        int n1 = rbm.n1();
        int n2 = rbm.n2();
        float[] packed = new float[n1 * n2 + n1 + n2];
        System.arraycopy(rbm.w(), 0, packed, 0, n1 * n2);
        System.arraycopy(rbm.b1(), 0, packed, n1 * n2, n1);
        System.arraycopy(rbm.b2(), 0, packed, n1 * n2 + n1, n2);
        return Tensor.ofFloats(packed, packed.length);
    }

    /** The negative phase an estimate carries. */
    public static NegativePhase negativePhase(Estimate e, int n1, int n2) {
        return new NegativePhase(n1, n2, e.meanZ1().toDoubles(), e.meanZ2().toDoubles(), e.meanZ1Z2().toDoubles());
    }

    // The result of a sampling job, sent by the actor to itself: local only.
    private record Sampled(Estimate estimate, Throwable failure) implements NoSerializationVerificationNeeded {
    }

    private final int index;
    private final String id;
    private final PriorSampler sampler; // touched only by the running job
    private final int n1;
    private final int n2;
    private final int particles;
    private final Executor math;
    private final List<Sample> waiting = new ArrayList<>();
    private final List<SnapshotSampler> snapshots = new ArrayList<>();
    private Estimate latest;
    private boolean busy;

    private Sampler(ActorContext<Object> ctx, int index, PriorSampler sampler, int n1, int n2, int particles,
                    String mathDispatcher) {
        super(ctx);
        this.index = index;
        this.id = id(index);
        this.sampler = sampler;
        this.n1 = n1;
        this.n2 = n2;
        this.particles = particles;
        this.math = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(mathDispatcher));
    }

    @Override
    public Receive<Object> createReceive() {
        return newReceiveBuilder()
                .onMessage(Sample.class, m -> {
                    waiting.add(m);
                    answerAndContinue();
                    return this;
                })
                .onMessage(SnapshotSampler.class, m -> {
                    snapshots.add(m);
                    answerAndContinue();
                    return this;
                })
                .onMessage(Sampled.class, done -> {
                    busy = false;
                    if (done.failure() != null) {
                        throw new IllegalStateException("prior sampler " + id + " failed", done.failure());
                    }
                    latest = done.estimate();
                    answerAndContinue();
                    return this;
                })
                .build();
    }

    private void answerAndContinue() {
        if (latest != null) {
            waiting.removeIf(request -> {
                boolean answered = request.version() <= latest.version();
                if (answered) {
                    request.replyTo().tell(latest);
                }
                return answered;
            });
        }
        if (busy) {
            return;
        }
        // Between jobs the state is the actor's alone: snapshots go before the next job moves the particles.
        for (SnapshotSampler m : snapshots) {
            m.replyTo().tell(new SamplerSnapshotted(id, snapshot(Path.of(m.directory()))));
        }
        snapshots.clear();
        if (waiting.isEmpty()) {
            return;
        }
        Sample newest = waiting.stream().max(Comparator.comparingLong(Sample::version)).orElseThrow();
        busy = true;
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> step(newest), math), Sampled::new);
    }

    /** Null when written, else the failure. */
    private String snapshot(Path checkpoint) {
        try {
            JsonFiles.write(ResumePoint.actorSamplerFile(checkpoint, index), sampler.state());
            return null;
        } catch (RuntimeException e) {
            return "sampler " + id + ": snapshot into " + checkpoint + " failed: " + e;
        }
    }

    private Estimate step(Sample request) {
        float[] p = request.prior().toFloats();
        if (p.length != n1 * n2 + n1 + n2) {
            throw new IllegalArgumentException("prior of " + p.length + " values for an RBM of " + n1 + "+" + n2);
        }
        float[] w = new float[n1 * n2];
        float[] b1 = new float[n1];
        float[] b2 = new float[n2];
        System.arraycopy(p, 0, w, 0, w.length);
        System.arraycopy(p, w.length, b1, 0, n1);
        System.arraycopy(p, w.length + n1, b2, 0, n2);
        NegativePhase phase = sampler.step(new Rbm(n1, n2, w, b1, b2));
        double ess = sampler instanceof PopulationAnnealingSampler pa ? pa.essFraction() : Double.NaN;
        return new Estimate(id, request.version(), particles, Tensor.ofDoubles(phase.meanZ1(), n1),
                Tensor.ofDoubles(phase.meanZ2(), n2), Tensor.ofDoubles(phase.meanZ1Z2(), n1, n2), sampler.logZ(), ess);
    }
}
