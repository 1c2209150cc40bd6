package dev.clattn.jmh;

import dev.clattn.Attention;
import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The fixed cost of one call on shapes too small for the arithmetic to matter (one head, D=64): validation,
 * argument setting, uploads, launches and the blocking read on OpenCL; thread hand-off on the CPU fallback.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CallOverheadBench {
    @Param({"cpu", "fused", "three-kernel"})
    String path;
    @Param({"1", "16", "128"})
    int n;

    private Attention engine;
    private AttentionRequest request;

    @Setup
    public void open() {
        engine = Engines.open(path);
        request = Engines.selfAttention(1, n, false);
    }

    @Benchmark
    public AttentionResult compute() {
        return engine.compute(request);
    }

    @TearDown
    public void close() {
        engine.close();
    }
}
