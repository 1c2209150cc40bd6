package dev.clattn;

/**
 * A request, shape or option the engine refuses, with the argument it blames and the expected and actual
 * values as fields, so that a program (the CLI among them) can act on the error without parsing its text.
 * The message reads {@code argument: expected EXPECTED, got ACTUAL}.
 */
public class InvalidRequestException extends IllegalArgumentException {
    private final String argument;
    private final String expected;
    private final String actual;

    public InvalidRequestException(String argument, String expected, String actual) {
        this(argument, expected, actual, null);
    }

    public InvalidRequestException(String argument, String expected, String actual, Throwable cause) {
        super(argument + ": expected " + expected + ", got " + actual, cause);
        this.argument = argument;
        this.expected = expected;
        this.actual = actual;
    }

    /**
     * The argument at fault: a builder or API parameter name ({@code q}, {@code keyLengths}, {@code parts[2]},
     * {@code weights}), or a shape dimension ({@code queryLen}).
     */
    public String argument() {
        return argument;
    }

    /** What the engine accepts, in words and numbers. */
    public String expected() {
        return expected;
    }

    /** What it was given. */
    public String actual() {
        return actual;
    }
}
