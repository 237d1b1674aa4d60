package dvae.math.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dvae.math.BadInputException;
import dvae.math.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The JSON files of a run directory (checkpoint descriptions, the checkpoint index, random-stream states,
 * manifests): records in snake_case like the command line's JSON, written atomically and pretty-printed, read back
 * with one-line errors naming the file. Non-finite numbers are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"}, so every file stays valid JSON.
 */
public final class JsonFiles {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS); // untyped whole numbers (steps) are always Long

    private JsonFiles() {
    }

    public static void write(Path file, Object value) {
        byte[] json;
        try {
            json = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        AtomicFiles.write(file, out -> {
            out.write(json);
            out.write('\n');
        });
    }

    public static <T> T read(Path file, Class<T> type) {
        return read(file, MAPPER.constructType(type));
    }

    public static <T> T read(Path file, TypeReference<T> type) {
        return read(file, MAPPER.constructType(type));
    }

    private static <T> T read(Path file, JavaType type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such file");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        T value;
        try {
            value = MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new BadInputException(file + ": damaged JSON (" + originalMessage(e) + ")");
        }
        if (value == null) {
            throw new BadInputException(file + ": damaged JSON (empty or null)");
        }
        return value;
    }

    /** Jackson's message without its multi-line source excerpt, so errors stay one line. */
    static String originalMessage(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
