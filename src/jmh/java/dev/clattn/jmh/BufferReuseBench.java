package dev.clattn.jmh;

import dev.clattn.Attention;
import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What keeping device buffers between calls saves: the same call with the engine's buffers reused, and
 * after {@link Attention#releaseBuffers()} so that it allocates Q, K, V, O (and scores) again.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BufferReuseBench {
    @State(Scope.Benchmark)
    public static class Engine {
        @Param({"fused", "three-kernel"})
        String path;
        @Param({"256", "1024"})
        int n;

        Attention engine;
        AttentionRequest request;

        @Setup
        public void open() {
            engine = Engines.open(path);
            request = Engines.selfAttention(8, n, false);
        }

        @TearDown
        public void close() {
            engine.close();
        }
    }

    /** The engine with its buffers freed before every call. */
    @State(Scope.Benchmark)
    public static class Released extends Engine {
        @Setup(Level.Invocation)
        public void release() {
            engine.releaseBuffers();
        }
    }

    @Benchmark
    public AttentionResult reused(Engine e) {
        return e.engine.compute(e.request);
    }

    @Benchmark
    public AttentionResult reallocated(Released e) {
        return e.engine.compute(e.request);
    }
}
