package dvae.protocols;

/**
 * Marker of every message that may cross the wire: bound to Akka's {@code jackson-cbor} serializer in
 * {@code conf/application.conf} ({@code akka.actor.serialization-bindings}). Nothing else travels, and never by
 * Java serialization.
 */
public interface CborSerializable {
}
