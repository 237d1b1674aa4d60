package dvae.cli;

import dvae.math.BadInputException;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The registry of experiments {@code dvae experiment NAME} knows, in the order the help lists them. */
final class Experiments {
    static final List<Experiment> ALL = Stream.concat(Stream.of(new ToyGaussianExperiment(), new ToyRbmExperiment(),
            new Table7Experiment()), Stream.concat(PaperTables.all().stream(),
            Stream.of(new Fig4Experiment(), new ModesExperiment()))).toList();

    private Experiments() {
    }

    static Experiment find(String name) {
        return ALL.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new BadInputException("unknown experiment '" + name + "'; known: "
                        + ALL.stream().map(Experiment::name).collect(Collectors.joining(", "))));
    }

    /** The names, for the help and shell completion. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return ALL.stream().map(Experiment::name).iterator();
        }
    }
}
