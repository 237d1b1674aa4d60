package dvae.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dvae.math.BadInputException;
import java.util.Arrays;
import java.util.List;

/** Typed, range-checked reads of loaded settings: each bad value is a one-line error naming its key. */
public record Settings(Config config) {

    public long longAtLeast(String key, long min) {
        long v = read(key, () -> config.getLong(key), "a whole number");
        if (v < min) {
            throw new BadInputException("setting " + key + " must be at least " + min + ", got " + v);
        }
        return v;
    }

    public int intAtLeast(String key, int min) {
        return Math.toIntExact(longAtLeast(key, min));
    }

    public double doubleIn(String key, double lo, double hi) {
        double v = read(key, () -> config.getDouble(key), "a number");
        if (!(v >= lo && v <= hi)) {
            throw new BadInputException("setting " + key + " must lie in [" + lo + ", " + hi + "], got " + v);
        }
        return v;
    }

    public double positive(String key) {
        double v = read(key, () -> config.getDouble(key), "a number");
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new BadInputException("setting " + key + " must be a positive finite number, got " + v);
        }
        return v;
    }

    public String oneOf(String key, String... allowed) {
        String v = string(key);
        if (Arrays.asList(allowed).contains(v)) {
            return v;
        }
        throw new BadInputException("setting " + key + " must be one of " + String.join(", ", allowed)
                + "; got '" + v + "'");
    }

    public String string(String key) {
        return read(key, () -> config.getString(key), "a string");
    }

    public List<String> stringList(String key) {
        return read(key, () -> config.getStringList(key), "a list of strings");
    }

    /** A non-empty list of whole numbers, each at least {@code min}. */
    public int[] intList(String key, int min) {
        List<Integer> values = read(key, () -> config.getIntList(key), "a list of whole numbers");
        if (values.isEmpty() || values.stream().anyMatch(v -> v < min)) {
            throw new BadInputException("setting " + key + " must be a non-empty list of whole numbers of at least "
                    + min + ", got " + values);
        }
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    public boolean bool(String key) {
        return read(key, () -> config.getBoolean(key), "true or false");
    }

    private interface Read<T> {
        T get();
    }

    private static <T> T read(String key, Read<T> read, String what) {
        try {
            return read.get();
        } catch (ConfigException.Missing e) {
            throw new BadInputException("setting " + key + " is missing");
        } catch (ConfigException e) {
            throw new BadInputException("setting " + key + " must be " + what + ": "
                    + SettingsLoader.oneLine(e.getMessage()));
        }
    }
}
