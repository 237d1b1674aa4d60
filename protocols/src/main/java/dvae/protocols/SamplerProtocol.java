package dvae.protocols;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;

/**
 * Messages of a prior sampler, which keeps a share of the particles that estimate the prior RBM's negative phase
 * (the gradient of log Z) and its log Z. A worker sends the prior parameters of the version it computes at; the
 * sampler moves its particles to them once per version and answers every request for that version, or an older
 * one, with its latest estimate, tagged with the version it was made at. Several samplers' particles together form
 * the set: the worker pools their estimates by particle count.
 */
public final class SamplerProtocol {
    private SamplerProtocol() {
    }

    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "prior-sampler");

    public sealed interface Command extends CborSerializable {
    }

    /**
     * An estimate at parameter version {@code version} or later. {@code prior}: the prior's W (n1 × n2 row-major),
     * b1 and b2 at that version, concatenated, float32 (small: 41 kB at 100+100).
     */
    public record Sample(long version, Tensor prior, ActorRef<Estimate> replyTo) implements Command {
    }

    /**
     * E[z1], E[z2] and E[z1 z2ᵀ] under the prior at {@code version} (float64), the running log Z estimate (NaN for
     * samplers that do not track it) and population annealing's effective-sample-size fraction (NaN for others).
     */
    public record Estimate(String samplerId, long version, int particles, Tensor meanZ1, Tensor meanZ2,
                           Tensor meanZ1Z2, double logZ, double essFraction) implements WorkerProtocol.Command {
    }

    /**
     * Saves the sampler's whole state (particles, weights, random stream) into a checkpoint folder, a path on the
     * sampler's machine, once no sampling job runs, so a resumed run continues it exactly.
     */
    public record SnapshotSampler(String directory, ActorRef<SamplerSnapshotted> replyTo) implements Command {
    }

    /** {@code failure}: null when the state was written, else why not. */
    public record SamplerSnapshotted(String samplerId, String failure) implements CborSerializable {
    }
}
