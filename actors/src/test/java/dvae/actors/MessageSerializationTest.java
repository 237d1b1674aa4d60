package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.ExtendedActorSystem;
import akka.serialization.Serialization;
import akka.serialization.Serialization$;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import dvae.protocols.CborSerializable;
import dvae.protocols.DirectCborSerializer;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Rejected.Reason;
import dvae.protocols.SamplerProtocol;
import dvae.protocols.Tensor;
import dvae.protocols.WorkerProtocol;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every message type of {@code protocols/} goes through the configured serializer (jackson-cbor) and back. With the
 * Jackson 2.17 BOM, one-component records (Pull, GetMetrics, ChainsStored, ChainsRefused) need no {@code @JsonCreator}
 * (Akka's own Jackson 2.11.4 did); this test is what says so.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageSerializationTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        testKit.shutdownTestKit();
    }

    private static final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());

    private static <T> ActorRef<T> ref() {
        return testKit.<T>createTestProbe().ref();
    }

    /** One instance of each message type. */
    private static List<CborSerializable> oneOfEach() {
        Tensor floats = Tensor.ofFloats(new float[] {1.5f, -2f, 0f, 3e-8f}, 2, 2);
        Tensor doubles = Tensor.ofDoubles(new double[] {0.5, 1e-300}, 2);
        Tensor words = Tensor.ofLongs(new long[] {-1L, 42L}, 1, 2);
        int[] examples = {3, 1, 4};
        return List.of(
                floats,
                new ParameterServerProtocol.Pull(ref(), null),
                new ParameterServerProtocol.Pull(ref(), ref()),
                new ParameterServerProtocol.Parameters(7, floats, true),
                new ParameterServerProtocol.OptimizerMoments(7, 12, 2, floats),
                new ParameterServerProtocol.PushGradient("worker-1", 9, 6, 3e-3, floats, ref()),
                new ParameterServerProtocol.Ack("worker-1", 9, 8, 0.5f, false),
                new ParameterServerProtocol.Rejected("worker-1", 10, Reason.NO_CREDIT, "2 pushes waiting"),
                new ParameterServerProtocol.Checkpoint("/tmp/step-100", ref()),
                new ParameterServerProtocol.CheckpointWritten("/tmp/step-100", 100),
                new ParameterServerProtocol.CheckpointFailed("/tmp/step-100", "disk full"),
                new ParameterServerProtocol.GetMetrics(ref()),
                new ParameterServerProtocol.Metrics(1, 2, 3, 4, 5, 6, 7, 8, 9),
                new ChainKeeperProtocol.FetchChains(examples, ref()),
                new ChainKeeperProtocol.StoreChains(examples, words, ref()),
                new ChainKeeperProtocol.SnapshotChains("/tmp/step-100", ref()),
                new ChainKeeperProtocol.RestoreChains("/tmp/step-100", ref()),
                new ChainKeeperProtocol.ChainStates(examples, words),
                new ChainKeeperProtocol.ChainsStored(examples),
                new ChainKeeperProtocol.ChainsSnapshotted("/tmp/step-100", 0, 5000),
                new ChainKeeperProtocol.ChainsRestored("/tmp/step-100", 3),
                new ChainKeeperProtocol.ChainsRefused("example 9 is outside"),
                new SamplerProtocol.Sample(12, floats, ref()),
                new SamplerProtocol.Estimate("sampler-0", 12, 500, doubles, doubles, doubles, 41.5, Double.NaN),
                new SamplerProtocol.SnapshotSampler("/tmp/step-100", ref()),
                new SamplerProtocol.SamplerSnapshotted("sampler-0", null),
                new WorkerProtocol.SnapshotStreams(ref()),
                new WorkerProtocol.WorkerStreams("w0", new long[] {1, -2, 3, 0}, new long[] {4, 5, -6, 7}),
                new WorkerProtocol.TrainBatch(12, examples, 0.25, 3e-3, ref()),
                new WorkerProtocol.BatchTrained("worker-1", 12, 9, 140.5, -120.25, 20.25, 41.5, 0.75),
                new WorkerProtocol.BatchFailed("worker-1", 12, "NaN loss", true));
    }

    /** The messages that carry a whole parameter vector, bound to the direct-to-buffer serializer. */
    private static final Set<Class<?>> DIRECT = Set.of(ParameterServerProtocol.PushGradient.class,
            ParameterServerProtocol.Parameters.class, ParameterServerProtocol.OptimizerMoments.class);

    /** Serializes with the serializer bound to the message, back, and again: the same class and the same bytes. */
    private static Object roundTrip(Object message) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertEquals(DIRECT.contains(message.getClass()) ? DirectCborSerializer.class : JacksonCborSerializer.class,
                serializer.getClass(), message.getClass().getName());
        // Serialization's own methods supply the system that ActorRefs are (de)serialized against.
        byte[] bytes = serialization.serialize(message).get();
        String manifest = Serializers.manifestFor(serializer, message);
        Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
        assertEquals(message.getClass(), back.getClass());
        assertArrayEquals(bytes, serialization.serialize(back).get(), message.getClass().getName());
        return back;
    }

    @Test
    void everyMessageTypeRoundTripsThroughJacksonCbor() {
        for (CborSerializable message : oneOfEach()) {
            roundTrip(message);
        }
        // Records without arrays compare by value; spot-check the array-carrying ones field by field.
        assertEquals(new ParameterServerProtocol.Rejected("w", 1, Reason.STALE, "old"),
                roundTrip(new ParameterServerProtocol.Rejected("w", 1, Reason.STALE, "old")));
        var states = (ChainKeeperProtocol.ChainStates) roundTrip(new ChainKeeperProtocol.ChainStates(new int[] {5, 2},
                Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2)));
        assertArrayEquals(new int[] {5, 2}, states.examples());
        assertArrayEquals(new long[] {1, 2, 3, 4}, states.states().toLongs());
        ActorRef<ParameterServerProtocol.Parameters> replyTo = ref();
        assertEquals(replyTo, ((ParameterServerProtocol.Pull) roundTrip(new ParameterServerProtocol.Pull(replyTo, null)))
                .replyTo());
    }

    @Test
    void theSamplesCoverEveryMessageRecordInProtocols() throws Exception {
        Set<Class<?>> sampled = oneOfEach().stream().map(Object::getClass).collect(Collectors.toSet());
        assertEquals(messageRecordsInProtocols(), sampled);
    }

    @Test
    void aParameterVectorOfThePapersSizeRoundTrips() {
        float[] values = new float[6_000_000]; // 24 MB, above Jackson's default 20 MB string limit
        values[values.length - 1] = 1f;
        var back = (ParameterServerProtocol.Parameters) roundTrip(
                new ParameterServerProtocol.Parameters(1, Tensor.ofFloats(values, values.length), false));
        assertArrayEquals(values, back.values().toFloats());
    }

    @Test
    void theDirectSerializerWritesTheSystemsCborIntoAndOutOfABuffer() throws Exception {
        float[] values = new float[300_000]; // above Jackson's 250,000-byte limit for reading a byte string at once
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 7;
        }
        var push = new ParameterServerProtocol.PushGradient("n1-w0", 3, 2, 1e-3, Tensor.ofFloats(values, values.length),
                ref());
        var direct = (DirectCborSerializer) serialization.findSerializerFor(push);
        byte[] bytes = serialization.serialize(push).get();
        // The same bytes as the system's jackson-cbor binding writes for it: one format on the wire.
        Serializer cbor = serialization.findSerializerFor(new ParameterServerProtocol.Ack("w", 1, 1, 1f, false));
        var system = (ExtendedActorSystem) testKit.system().classicSystem();
        assertArrayEquals(Serialization$.MODULE$.withTransportInformation(system, () -> cbor.toBinary(push)), bytes);

        ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 100);
        buffer.put(new byte[] {9, 9, 9}); // Artery's envelope header comes first
        direct.toBinary(push, buffer);
        assertEquals(3 + bytes.length, buffer.position());
        assertArrayEquals(bytes, Arrays.copyOfRange(buffer.array(), 3, 3 + bytes.length));

        buffer.flip().position(3);
        var back = (ParameterServerProtocol.PushGradient) direct.fromBinary(buffer, direct.manifest(push));
        assertEquals(buffer.limit(), buffer.position());
        assertArrayEquals(values, back.gradient().toFloats());
        assertArrayEquals(push.gradient().shape(), back.gradient().shape());
        assertEquals(push.replyTo(), back.replyTo());
        assertEquals(List.of(push.workerId(), push.seq(), push.computedAtVersion(), push.learningRate()),
                List.of(back.workerId(), back.seq(), back.computedAtVersion(), back.learningRate()));
    }

    @Test
    void aTensorWhoseBytesDoNotMatchItsShapeGuessStillReadsBack() {
        // The reader sizes its array for float32; int64 words overflow it and float64 values too.
        var words = (ChainKeeperProtocol.ChainStates) roundTrip(new ChainKeeperProtocol.ChainStates(new int[] {1},
                Tensor.ofLongs(new long[] {Long.MIN_VALUE, 5, -9}, 1, 3)));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 5, -9}, words.states().toLongs());
        Tensor empty = (Tensor) roundTrip(Tensor.ofFloats(new float[0], 0, 4));
        assertEquals(0, empty.size());
    }

    @Test
    void aDirectMessageWithAnUnknownManifestIsRefused() {
        var direct = (DirectCborSerializer) serialization.findSerializerFor(
                new ParameterServerProtocol.Parameters(1, Tensor.ofFloats(new float[1], 1), false));
        var e = assertThrows(java.io.NotSerializableException.class,
                () -> direct.fromBinary(ByteBuffer.wrap(new byte[] {(byte) 0xa0}), "nonsense"));
        assertTrue(e.getMessage().contains("nonsense"), e.getMessage());
    }

    /** Every record implementing CborSerializable among the compiled classes of protocols/ (folder or jar). */
    private static Set<Class<?>> messageRecordsInProtocols() throws Exception {
        Path location = Path.of(CborSerializable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location);
             Stream<Path> files = Files.walk(jar == null ? location : jar.getPath("/"))) {
            Path root = jar == null ? location : jar.getPath("/");
            return files.map(root::relativize).map(Path::toString).filter(f -> f.endsWith(".class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.'))
                    .map(MessageSerializationTest::load)
                    .filter(c -> c.isRecord() && CborSerializable.class.isAssignableFrom(c))
                    .collect(Collectors.toSet());
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
