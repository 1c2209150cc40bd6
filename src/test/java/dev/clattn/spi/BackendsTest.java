package dev.clattn.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void fallingBackToTheCpuWarnsOncePerJvm() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(Attention.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        log.addAppender(seen);
        ch.qos.logback.classic.Level level = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.DEBUG);
        Backends.FALLBACK_WARNED.set(false);
        try {
            for (int i = 0; i < 3; i++) {
                try (Backend b = Backends.fallback("no OpenCL platform", Config.builderFromEnvironment().threads(1).build())) {
                    assertEquals("cpu", b.name());
                }
            }
        } finally {
            log.detachAppender(seen);
            log.setLevel(level);
        }
        java.util.List<ch.qos.logback.classic.Level> levels = seen.list.stream()
                .filter(e -> e.getFormattedMessage().contains("using the CPU fallback")).map(e -> e.getLevel())
                .toList();
        assertEquals(java.util.List.of(ch.qos.logback.classic.Level.WARN, ch.qos.logback.classic.Level.DEBUG,
                ch.qos.logback.classic.Level.DEBUG), levels);
        assertTrue(seen.list.get(0).getFormattedMessage().contains("no OpenCL platform"));
    }

    /** The tools reach an engine's backend through Backends; nobody else may take that access over. */
    @Test
    void engineAccessIsGrantedOnceByTheEngine() {
        try (Attention engine = Attention.open(Config.builderFromEnvironment().backend(BackendKind.CPU).build())) {
            Backend b = Backends.of(engine);
            assertEquals("cpu", b.name());
            assertSame(b, Backends.of(engine));
            assertEquals(engine.device(), b.device());
        }
        assertEquals("engine access already granted", assertThrows(IllegalStateException.class,
                () -> Backends.grantEngineAccess(null)).getMessage());
    }
}
