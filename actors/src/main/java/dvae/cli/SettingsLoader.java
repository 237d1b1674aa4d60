package dvae.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dvae.math.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads the settings: the defaults in {@code conf/application.conf}, then an optional {@code --config FILE}, then
 * each {@code --set KEY=VALUE} in order. Every override must name a key that the defaults have, with a value of the
 * same type, and no number may be NaN or infinite: anything else is a one-line {@link BadInputException}.
 */
public final class SettingsLoader {
    private SettingsLoader() {
    }

    public static Config load(Path configFile, List<String> sets) {
        // Merged unresolved and resolved once at the end, so an override reaches the settings that refer to it
        // (e.g. --set dvae.cluster.seed-port=... moves akka.cluster.seed-nodes too).
        Config unresolved = ConfigFactory.defaultOverrides().withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReferenceUnresolved());
        Config defaults = unresolved.resolve();
        Config merged = unresolved;
        if (configFile != null) {
            merged = checked(parseFile(configFile), defaults, "config file " + configFile).withFallback(merged);
        }
        for (String assignment : sets) {
            merged = checked(parseSet(assignment), defaults, "--set " + assignment).withFallback(merged);
        }
        return merged.resolve();
    }

    private static Config parseFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("config file " + file + ": no such file");
        }
        try {
            return ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new BadInputException("config file " + file + ": " + oneLine(e.getMessage()));
        }
    }

    private static Config parseSet(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new BadInputException("--set " + assignment + ": expected KEY=VALUE, e.g. dvae.train.iterations=2000");
        }
        String key = assignment.substring(0, eq).trim();
        String value = assignment.substring(eq + 1).trim();
        try {
            return ConfigFactory.parseString(key + " = " + value);
        } catch (ConfigException e) {
            // A value that HOCON cannot parse on its own is taken as a plain string; the type check names the key.
            try {
                return ConfigFactory.parseMap(Map.of(key, value));
            } catch (ConfigException e2) {
                throw new BadInputException("--set " + assignment + ": " + oneLine(e2.getMessage()));
            }
        }
    }

    /** Every leaf of the override must exist in the defaults with the same type, and numbers must be finite. */
    private static Config checked(Config override, Config defaults, String source) {
        for (Map.Entry<String, ConfigValue> e : override.entrySet()) {
            String key = e.getKey();
            ConfigValue value = e.getValue();
            if (!key.startsWith("dvae.") && !key.startsWith("akka.")) {
                throw new BadInputException(source + ": key " + key + " is outside the dvae and akka sections");
            }
            if (!defaults.hasPathOrNull(key)) {
                throw new BadInputException(source + ": unknown key " + key);
            }
            ConfigValueType want = defaults.getValue(key).valueType();
            ConfigValueType got = value.valueType();
            if (got == ConfigValueType.STRING && want == ConfigValueType.NUMBER) {
                throw new BadInputException(source + ": key " + key + " must be a finite number, got '"
                        + value.unwrapped() + "'");
            }
            if (want != got && !(want == ConfigValueType.STRING && got != ConfigValueType.OBJECT
                    && got != ConfigValueType.LIST)) {
                throw new BadInputException(source + ": key " + key + " must be a " + describe(want) + ", got "
                        + describe(got) + " '" + value.unwrapped() + "'");
            }
            if (got == ConfigValueType.NUMBER) {
                double d = ((Number) value.unwrapped()).doubleValue();
                if (!Double.isFinite(d)) {
                    throw new BadInputException(source + ": key " + key + " must be finite, got " + d);
                }
            }
        }
        return override;
    }

    private static String describe(ConfigValueType t) {
        return switch (t) {
            case NUMBER -> "number";
            case STRING -> "string";
            case BOOLEAN -> "boolean (true or false)";
            case LIST -> "list";
            case OBJECT -> "section";
            case NULL -> "null";
        };
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
