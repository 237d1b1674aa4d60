package dvae.math;

/**
 * Bad input from a user: a file, a key, a flag or a value that cannot be used. The message is one line that names
 * the file or key and what is wrong; the command line prints it as is and exits non-zero.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
