package dvae.cli;

import dvae.math.BadInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How much of an experiment's protocol to run: the paper's, or a reduced one that finishes in minutes. */
enum Budget {
    QUICK, PAPER;

    /** The spelling on the command line and in settings keys, e.g. {@code quick}. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Budget parse(String id) {
        return Arrays.stream(values()).filter(b -> b.id().equals(id)).findFirst()
                .orElseThrow(() -> new BadInputException("unknown budget '" + id + "'; known: "
                        + Arrays.stream(values()).map(Budget::id).collect(Collectors.joining(", "))));
    }
}
