package dvae.protocols;

import akka.actor.ExtendedActorSystem;
import akka.serialization.ByteBufferSerializer;
import akka.serialization.Serialization$;
import akka.serialization.SerializerWithStringManifest;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import com.fasterxml.jackson.databind.util.ByteBufferBackedOutputStream;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The system's Jackson CBOR (the same object mapper, so the same bytes) for the messages that carry a whole parameter
 * vector, written straight into Artery's envelope buffer and read straight out of it. Through the byte-array path a
 * 10 MB push was copied twice more on each side (Jackson's output chunks and their concatenation; Artery's copy out of
 * the buffer and Jackson's chunks of a long byte string and their concatenation), and those copies and their garbage
 * were a good part of a two-JVM cluster's overhead per step. Bound in {@code conf/application.conf}.
 */
public final class DirectCborSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {
    /** The messages this serializer is bound to, by manifest. */
    private static final Map<String, Class<?>> BOUND = Map.of(
            "push", ParameterServerProtocol.PushGradient.class,
            "parameters", ParameterServerProtocol.Parameters.class,
            "moments", ParameterServerProtocol.OptimizerMoments.class);

    private final ExtendedActorSystem system;
    private final ObjectMapper mapper;

    public DirectCborSerializer(ExtendedActorSystem system) {
        this.system = system;
        // The mapper of the system's jackson-cbor binding (created with a CBOR factory if this comes first).
        this.mapper = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    }

    @Override
    public int identifier() {
        return 1_000_427;
    }

    @Override
    public String manifest(Object o) {
        for (Map.Entry<String, Class<?>> e : BOUND.entrySet()) {
            if (e.getValue() == o.getClass()) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("DirectCborSerializer is not bound to " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        return withSystem(() -> mapper.writeValueAsBytes(o));
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        Class<?> type = classFor(manifest);
        return withSystem(() -> mapper.readValue(bytes, type));
    }

    @Override
    public void toBinary(Object o, ByteBuffer buf) {
        withSystem(() -> {
            mapper.writeValue(new ByteBufferBackedOutputStream(buf), o);
            return null;
        });
    }

    @Override
    public Object fromBinary(ByteBuffer buf, String manifest) throws NotSerializableException {
        Class<?> type = classFor(manifest);
        return withSystem(() -> mapper.readValue(new ByteBufferBackedInputStream(buf), type));
    }

    private static Class<?> classFor(String manifest) throws NotSerializableException {
        Class<?> type = BOUND.get(manifest);
        if (type == null) {
            throw new NotSerializableException("DirectCborSerializer: unknown manifest '" + manifest + "'");
        }
        return type;
    }

    /** ActorRefs are (de)serialized against the system Akka names for the current thread. */
    private <T> T withSystem(Callable<T> body) {
        return Serialization$.MODULE$.withTransportInformation(system, () -> {
            try {
                return body.call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw rethrown(e);
            }
        });
    }

    private static RuntimeException rethrown(Exception e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
}
