package dvae.math.nn;

/** Whether a forward pass trains (batch statistics, moving averages updated) or evaluates (moving averages used). */
public enum Mode {
    TRAIN,
    EVAL
}
