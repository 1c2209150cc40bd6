package dev.clattn.cli;

import dev.clattn.InvalidRequestException;
import java.util.Map;

/**
 * A command whose options carry the library's arguments. The library blames an argument by name
 * ({@link InvalidRequestException#argument()}); the user typed an option, so the command's errors are printed
 * with the option looked up here, never parsed out of the message text.
 */
interface ArgumentOptions {
    /** Shape dimensions of a self-attention problem given as --batch, --heads, --seq and --dim. */
    Map<String, String> SELF_ATTENTION = Map.of("batch", "--batch", "queryHeads", "--heads", "kvHeads", "--heads",
            "queryLen", "--seq", "keyLen", "--seq", "headDim", "--dim", "valueDim", "--dim",
            "shape", "--batch/--heads/--seq/--dim");

    /** The option (or options) carrying each argument the library may blame. */
    Map<String, String> optionsByArgument();

    /** {@code --OPTION: expected EXPECTED, got ACTUAL}, or the library's message when no option carries the argument. */
    static String message(InvalidRequestException e, Object command) {
        String option = command instanceof ArgumentOptions c ? c.optionsByArgument().get(e.argument()) : null;
        return option == null ? e.getMessage() : option + ": expected " + e.expected() + ", got " + e.actual();
    }
}
