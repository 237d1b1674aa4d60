package dvae.math.data;

/** Message helpers: every error this package raises is one line. */
final class Text {
    private Text() {
    }

    /** {@code s} with its line breaks (and the blanks around them) turned into single spaces. */
    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
