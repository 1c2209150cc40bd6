package dev.clattn.opencl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules a kernel file states for its parameters, each as
 * <pre>
 * #if CONDITION
 * #error "what is wrong"
 * #endif
 * </pre>
 * The compiler enforces them at every build; the host reads the same blocks to refuse bad parameters before
 * building anything (the tuner meets many). A condition that names only tunables and the macros derived from
 * them ({@code #define LANES (TILE_K / WPT_K)}) is evaluated here with the preprocessor's integer rules; one
 * that names anything else (HEAD_D, set per shape) is left to the build, where the same {@code #error} stops it.
 */
record KernelConstraints(List<Rule> rules, Map<String, String> derived) {
    private static final Pattern RULE = Pattern.compile("^#if\\s+(.+?)\\s*\\R#error\\s+\"([^\"]+)\"\\s*\\R#endif",
            Pattern.MULTILINE);
    private static final Pattern DERIVED = Pattern.compile("^#define\\s+(\\w+)\\s+((?:(?!//).)+?)\\s*(?://.*)?$",
            Pattern.MULTILINE);
    private static final Pattern TOKEN = Pattern.compile(
            "\\s*(\\d+[uUlL]*|\\w+|\\|\\||&&|==|!=|<=|>=|<<|>>|[-+*/%()<>!~&|^?:])");

    /** One rule: the parameters are wrong when {@code condition} holds. */
    record Rule(String condition, String message) {
    }

    static KernelConstraints parse(String text) {
        List<Rule> rules = new ArrayList<>();
        Matcher m = RULE.matcher(text);
        while (m.find()) {
            rules.add(new Rule(m.group(1), m.group(2)));
        }
        Map<String, String> derived = new LinkedHashMap<>();
        Matcher d = DERIVED.matcher(text);
        while (d.find()) {
            derived.put(d.group(1), d.group(2));
        }
        return new KernelConstraints(List.copyOf(rules), Map.copyOf(derived));
    }

    /** The message of the first rule these parameters break, or null if they break none the host can judge. */
    String violated(Map<String, Integer> params) {
        for (Rule r : rules) {
            try {
                if (new Expression(r.condition(), params, derived, 0).evaluate() != 0) {
                    return r.message();
                }
            } catch (ArithmeticException e) {
                return r.message() + " (its condition, " + r.condition() + ", divides by zero)";
            } catch (Unknown e) {
                // Names a value only the build knows; the compiler judges the rule there.
            }
        }
        return null;
    }

    /** A name the host cannot give a value: the rule waits for the build. */
    private static final class Unknown extends RuntimeException {
        Unknown() {
            super(null, null, false, false);
        }
    }

    /** A preprocessor integer expression over the parameters, by precedence climbing. */
    private static final class Expression {
        private final List<String> tokens = new ArrayList<>();
        private final Map<String, Integer> params;
        private final Map<String, String> derived;
        private final int depth;
        private int at;

        Expression(String text, Map<String, Integer> params, Map<String, String> derived, int depth) {
            if (depth > 16) {
                throw new Unknown();
            }
            Matcher m = TOKEN.matcher(text);
            int end = 0;
            while (end < text.length() && m.find(end) && m.start() == end) {
                tokens.add(m.group(1));
                end = m.end();
            }
            if (!text.substring(end).isBlank()) {
                throw new Unknown();
            }
            this.params = params;
            this.derived = derived;
            this.depth = depth;
        }

        long evaluate() {
            long v = conditional();
            if (at != tokens.size()) {
                throw new Unknown();
            }
            return v;
        }

        private String peek() {
            return at < tokens.size() ? tokens.get(at) : "";
        }

        private String next() {
            if (at >= tokens.size()) {
                throw new Unknown();
            }
            return tokens.get(at++);
        }

        private long conditional() {
            long c = binary(0);
            if (!peek().equals("?")) {
                return c;
            }
            next();
            long a = conditional();
            if (!next().equals(":")) {
                throw new Unknown();
            }
            long b = conditional();
            return c != 0 ? a : b;
        }

        private static final List<List<String>> LEVELS = List.of(List.of("||"), List.of("&&"), List.of("|"),
                List.of("^"), List.of("&"), List.of("==", "!="), List.of("<", ">", "<=", ">="), List.of("<<", ">>"),
                List.of("+", "-"), List.of("*", "/", "%"));

        private long binary(int level) {
            if (level == LEVELS.size()) {
                return unary();
            }
            long left = binary(level + 1);
            while (LEVELS.get(level).contains(peek())) {
                String op = next();
                // Both sides are evaluated even where C short-circuits: a rule never relies on the difference.
                long right = binary(level + 1);
                left = apply(op, left, right);
            }
            return left;
        }

        private static long apply(String op, long a, long b) {
            return switch (op) {
                case "||" -> a != 0 || b != 0 ? 1 : 0;
                case "&&" -> a != 0 && b != 0 ? 1 : 0;
                case "|" -> a | b;
                case "^" -> a ^ b;
                case "&" -> a & b;
                case "==" -> a == b ? 1 : 0;
                case "!=" -> a != b ? 1 : 0;
                case "<" -> a < b ? 1 : 0;
                case ">" -> a > b ? 1 : 0;
                case "<=" -> a <= b ? 1 : 0;
                case ">=" -> a >= b ? 1 : 0;
                case "<<" -> a << b;
                case ">>" -> a >> b;
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                case "/" -> a / b;
                default -> a % b;
            };
        }

        private long unary() {
            String t = next();
            switch (t) {
                case "!":
                    return unary() == 0 ? 1 : 0;
                case "-":
                    return -unary();
                case "+":
                    return unary();
                case "~":
                    return ~unary();
                case "(":
                    long v = conditional();
                    if (!next().equals(")")) {
                        throw new Unknown();
                    }
                    return v;
                default:
                    return value(t);
            }
        }

        private long value(String t) {
            if (Character.isDigit(t.charAt(0))) {
                return Long.parseLong(t.replaceAll("[uUlL]+$", ""));
            }
            Integer p = params.get(t);
            if (p != null) {
                return p;
            }
            String body = derived.get(t);
            if (body == null) {
                throw new Unknown();
            }
            return new Expression(body, params, derived, depth + 1).evaluate();
        }
    }
}
