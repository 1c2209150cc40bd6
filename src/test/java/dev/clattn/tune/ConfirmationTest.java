package dev.clattn.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The tuner's verdict on synthetic timings: the median per-round ratio, reported, and saved only above its spread. */
class ConfirmationTest {
    @Test
    void aSearchLuckyOnceIsNoImprovementWhenTheRoundsDisagree() {
        // The search said 2.84x; measured again, the rounds give 1.02, 0.98 and 1.05.
        Confirmation c = Confirmation.of(new double[] {10.2, 9.8, 10.5}, new double[] {10.0, 10.0, 10.0});
        assertEquals(1.02, c.speedup(), 1e-12, "the median of the per-round ratios");
        assertEquals((1.05 - 0.98) / 2, c.spread(), 1e-12);
        assertFalse(c.improves(), "0.02 over 1 is within the spread of 0.035");
        assertEquals(3, c.rounds());
        assertEquals(10.2, c.defaultsMs(), 1e-12);
    }

    @Test
    void aSteadyWinIsAnImprovement() {
        Confirmation c = Confirmation.of(new double[] {13.0, 26.2, 12.9}, new double[] {10.0, 20.0, 10.0});
        assertEquals(1.3, c.speedup(), 1e-12, "ratios 1.30 1.31 1.29: a busy round moves both timings, not r");
        assertTrue(c.improves());
    }

    @Test
    void withTwoRoundsBothRatiosMustExceedOne() {
        assertFalse(Confirmation.of(new double[] {11, 9.9}, new double[] {10, 10}).improves(), "1.1 and 0.99");
        Confirmation both = Confirmation.of(new double[] {11, 13}, new double[] {10, 10});
        assertEquals(1.2, both.speedup(), 1e-12, "an even count's median is the mean of the middle two");
        assertEquals(0.1, both.spread(), 1e-12);
        assertTrue(both.improves());
        assertFalse(Confirmation.of(new double[] {9, 9.1}, new double[] {10, 10}).improves(), "a loss");
    }

    @Test
    void badTimingsAreRefusedByName() {
        assertEquals("rounds: expected >= 2 (a spread needs two ratios), got 1", assertThrows(
                IllegalArgumentException.class, () -> Confirmation.of(new double[] {1}, new double[] {1})).getMessage());
        assertEquals("bestMs: expected one time per round of defaultsMs (3), got 2", assertThrows(
                IllegalArgumentException.class, () -> Confirmation.of(new double[] {1, 1, 1}, new double[] {1, 1}))
                .getMessage());
        assertEquals("bestMs: expected a time > 0 ms in round 1, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> Confirmation.of(new double[] {1, 1}, new double[] {1, 0})).getMessage());
    }
}
