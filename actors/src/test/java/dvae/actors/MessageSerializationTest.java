package dvae.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import dvae.protocols.CborSerializable;
import dvae.protocols.ChainKeeperProtocol;
import dvae.protocols.ParameterServerProtocol;
import dvae.protocols.ParameterServerProtocol.Rejected.Reason;
import dvae.protocols.SamplerProtocol;
import dvae.protocols.Tensor;
import dvae.protocols.WorkerProtocol;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Serializes with the serializer bound to the message, back, and again: the same class and the same bytes. */
    private static Object roundTrip(Object message) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertEquals(JacksonCborSerializer.class, serializer.getClass(), message.getClass().getName());
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
