package dvae.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The settings flags every command that reads settings shares (a picocli mixin). */
public final class SettingsOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "HOCON file whose keys override the defaults.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one setting, e.g. --set dvae.train.iterations=2000 (repeatable).")
    List<String> sets = new ArrayList<>();

    public Settings load() {
        return new Settings(SettingsLoader.load(configFile, sets));
    }
}
