package dev.clattn.spi;

import dev.clattn.Attention;
import dev.clattn.BackendKind;
import dev.clattn.Config;
import dev.clattn.DeviceTensor;
import dev.clattn.InvalidRequestException;
import dev.clattn.cpu.CpuBackend;
import dev.clattn.opencl.OpenCl;
import dev.clattn.opencl.OpenClBackend;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Making backends, and reaching an engine's, for the tools inside clattn (the command line, the tuner, the
 * benchmarks): a library user has only {@link Attention}. This package is not exported from the module.
 */
public final class Backends {
    /** The engine's logger: a server that silences {@code dev.clattn.Attention} silences the fallback warning. */
    private static final Logger LOG = LoggerFactory.getLogger(Attention.class);
    static final AtomicBoolean FALLBACK_WARNED = new AtomicBoolean();
    private static volatile EngineAccess engineAccess;

    private Backends() {
    }

    /** The backend the configuration asks for; AUTO falls back to the CPU when OpenCL has no device. */
    public static Backend create(Config config) {
        if (config.backend() == BackendKind.CPU) {
            return new CpuBackend(config.threads());
        }
        OpenCl.Probe probe = OpenCl.probe();
        if (!probe.available()) {
            if (config.backend() == BackendKind.OPENCL) {
                throw new IllegalStateException("backend opencl: " + probe.problem());
            }
            return fallback(probe.problem(), config);
        }
        OpenCl.Device chosen = OpenCl.choose(probe, config).orElseThrow(() -> new InvalidRequestException("device",
                "a device matching platform=" + config.platform() + " device=" + config.device(),
                "none among " + probe.devices().stream().map(d -> d.info().platformIndex() + ":"
                        + d.info().deviceIndex() + " " + d.info().name()).collect(Collectors.joining(", "))));
        return new OpenClBackend(chosen, config);
    }

    /**
     * The CPU backend in place of OpenCL, logged at WARN the first time in this JVM (a server logging at WARN
     * must learn that it lost its GPU) and at DEBUG after that, not on every engine it opens.
     */
    static Backend fallback(String problem, Config config) {
        if (FALLBACK_WARNED.compareAndSet(false, true)) {
            LOG.warn("clattn: {}; using the CPU fallback (backend=cpu, or logger {} at ERROR, silences this)",
                    problem, Attention.class.getName());
        } else {
            LOG.debug("clattn: {}; using the CPU fallback", problem);
        }
        return new CpuBackend(config.threads());
    }

    /** The engine's first (with one lane, its only) backend, where its KV caches live. */
    public static Backend of(Attention engine) {
        return access().backend(engine);
    }

    /**
     * The backend's own handle to a device tensor's data (its device buffer, or its array), for
     * {@code argument} of a request that {@code backend} runs; refused by name for a closed tensor or one of
     * another engine.
     */
    public static Object resident(DeviceTensor tensor, Backend backend, String argument) {
        return access().resident(tensor, backend, argument);
    }

    /** The access Attention's class initialiser grants, running it first where nothing has yet. */
    private static EngineAccess access() {
        EngineAccess a = engineAccess;
        if (a == null) {
            try {
                Class.forName(Attention.class.getName(), true, Attention.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = engineAccess;
        }
        return a;
    }

    /** What only the engine's own package can reach, handed to the tools here. */
    public interface EngineAccess {
        Backend backend(Attention engine);

        Object resident(DeviceTensor tensor, Backend backend, String argument);

        int[] offsets(dev.clattn.Edges graph);

        int[] keys(dev.clattn.Edges graph);
    }

    /** A graph's row offsets, the request's own array (not a copy): backends read it, never write it. */
    public static int[] edgeOffsets(dev.clattn.Edges graph) {
        return access().offsets(graph);
    }

    /** A graph's key indices, the request's own array (not a copy): backends read it, never write it. */
    public static int[] edgeKeys(dev.clattn.Edges graph) {
        return access().keys(graph);
    }

    /** Called once, by {@link Attention}'s class initialiser. */
    public static void grantEngineAccess(EngineAccess access) {
        synchronized (Backends.class) {
            if (engineAccess != null) {
                throw new IllegalStateException("engine access already granted");
            }
            engineAccess = access;
        }
    }
}
