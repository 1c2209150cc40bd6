package dev.clattn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.cli.Cli.Outcome;
import org.junit.jupiter.api.Test;

/** {@code clattn demo transformer} on both backends: the layers within 1e-5 of their float64 computation. */
class TransformerDemoTest {
    @Test
    void bothBackendsMatchFloat64() {
        for (String backend : new String[] {"cpu", "auto"}) {
            Outcome o = Cli.clattn("demo", "transformer", "--backend", backend);
            assertEquals(0, o.code(), o.err());
            String check = o.out().lines().filter(l -> l.startsWith("check:")).findFirst().orElseThrow();
            double err = Double.parseDouble(check.replaceAll(".*= ([0-9.e+-]+) .*", "$1"));
            assertTrue(err < 1e-5, backend + ": " + check);
        }
    }
}
