package dvae.math.data;

/** How many images each split of a data set holds; the readers insist on exactly these counts. */
public record SplitSizes(int train, int valid, int test) {
    /** MNIST and Fashion-MNIST: the first 50,000 of the 60,000 training images train, the last 10,000 validate. */
    public static final SplitSizes MNIST = new SplitSizes(50_000, 10_000, 10_000);
    /** OMNIGLOT (chardata.mat): the last 1,345 of the 24,345 training images validate. */
    public static final SplitSizes OMNIGLOT = new SplitSizes(23_000, 1_345, 8_070);

    public SplitSizes {
        if (train <= 0 || valid <= 0 || test <= 0) {
            throw new IllegalArgumentException("split sizes must be positive: " + train + "/" + valid + "/" + test);
        }
    }

    /** Train and validation together: what a source file that holds both must contain. */
    public int trainAndValid() {
        return train + valid;
    }
}
