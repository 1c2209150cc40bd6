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

/** The plain-Java fallback on B=1 H=8 D=64: GFLOP/s = 4·8·N²·64 / time (half when causal). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CpuFallbackBench {
    @Param({"256", "1024"})
    int n;
    @Param({"false", "true"})
    boolean causal;

    private Attention engine;
    private AttentionRequest request;

    @Setup
    public void open() {
        engine = Engines.open("cpu");
        request = Engines.selfAttention(8, n, causal);
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
