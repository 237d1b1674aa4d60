package dvae.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dvae.math.data.DataOptions;
import dvae.math.data.Dataset;
import dvae.math.data.DatasetKind;
import dvae.math.data.Datasets;
import dvae.math.data.Images;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dvae data DATASET}: loads a data set (fetching and caching it on first use) and describes it. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Fetch (on first use), check and describe a data set.")
final class DataCommand implements Callable<Integer> {
    @Mixin
    SettingsOptions settingsOptions;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET", completionCandidates = DatasetIds.class,
            description = "One of ${COMPLETION-CANDIDATES} (default: setting dvae.data.dataset).")
    String dataset;

    @Option(names = "--json", description = "Print one JSON object instead of a summary for people.")
    boolean json;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Cache folder (default: setting dvae.data.dir).")
    Path dataDir;

    private CommandSpec spec;

    /** Lists every data set with what it is under the help's usage. */
    @Spec
    void describeDatasets(CommandSpec spec) {
        this.spec = spec;
        spec.usageMessage().footer(Arrays.stream(DatasetKind.values())
                .map(kind -> String.format("  %-14s %s", kind.id(), kind.description()))
                .collect(Collectors.joining("%n", "%nData sets:%n", "")));
    }

    @Override
    public Integer call() {
        Settings settings = settingsOptions.load();
        DatasetKind kind = dataset != null ? DatasetKind.parse(dataset)
                : DatasetKind.parse(settings.oneOf("dvae.data.dataset", DatasetKind.ids().toArray(String[]::new)));
        Dataset data = Datasets.load(kind, dataOptions(settings, dataDir));
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? toJson(data) : summary(data));
        out.flush();
        return 0;
    }

    /** The {@code dvae.data} settings, with {@code --data-dir} (if given) in place of {@code dvae.data.dir}. */
    /** The data set that {@code dvae.data.dataset} names, loaded (fetched on first use) with the data settings. */
    static Dataset configuredDataset(Settings settings) {
        return Datasets.load(DatasetKind.parse(settings.string("dvae.data.dataset")), dataOptions(settings, null));
    }

    static DataOptions dataOptions(Settings settings, Path dataDirOverride) {
        return new DataOptions(
                dataDirOverride != null ? dataDirOverride : Path.of(settings.string("dvae.data.dir")),
                settings.longAtLeast("dvae.data.binarization-seed", 0),
                Path.of(settings.string("dvae.data.fashion-mnist-dir")),
                optionalPath(settings, "dvae.data.omniglot-file"),
                optionalPath(settings, "dvae.data.amat-dir"));
    }

    private static Optional<Path> optionalPath(Settings settings, String key) {
        String value = settings.string(key);
        return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }

    /** The mean over pixels of the per-pixel training mean: the fraction of ones (MNIST) or mean grey level. */
    private static double meanPixel(Dataset data) {
        double sum = 0;
        for (float m : data.meanPixel()) {
            sum += m;
        }
        return Math.round(sum / Images.PIXELS * 1e6) / 1e6;
    }

    private static String toJson(Dataset data) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("dataset", data.name());
        fields.put("train", data.trainSize());
        fields.put("valid", data.valid().rows());
        fields.put("test", data.test().rows());
        fields.put("pixels", Images.PIXELS);
        fields.put("mean_pixel", meanPixel(data));
        fields.put("cache", data.cache().map(Path::toString).orElse(null));
        fields.put("binarization", data.binarization());
        fields.put("source", data.source());
        try {
            return new ObjectMapper().writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("strings and numbers always serialize", e);
        }
    }

    private static String summary(Dataset data) {
        return String.format("%s: %d train, %d validation and %d test images of %d pixels%n"
                        + "mean pixel:   %.4f%nbinarization: %s%nsource:       %s%ncache:        %s",
                data.name(), data.trainSize(), data.valid().rows(), data.test().rows(), Images.PIXELS,
                meanPixel(data), data.binarization(), data.source(),
                data.cache().map(Path::toString).orElse("none (read from the source on every run)"));
    }

    /** The data set names, for the help and shell completion. */
    static final class DatasetIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return DatasetKind.ids().iterator();
        }
    }
}
