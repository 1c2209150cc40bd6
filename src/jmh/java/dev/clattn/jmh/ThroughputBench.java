package dev.clattn.jmh;

import dev.clattn.Attention;
import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.Config;
import dev.clattn.Shape;
import dev.clattn.tune.Float64Check;
import java.util.concurrent.CompletableFuture;
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
 * Calls per second on one engine shared by the benchmark's threads ({@code -t 1,2,4,8} in separate runs): a
 * decode-sized request (B=1 H=8 Nq=1 Nk=2048 D=64), synchronous, or four async calls per operation, on engines
 * of 1 and 2 lanes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ThroughputBench {
    @Param({"1", "2"})
    int lanes;

    private Attention engine;
    private AttentionRequest request;

    @Setup
    public void open() {
        engine = Attention.open(Config.builderFromEnvironment().lanes(lanes).build());
        request = Float64Check.selfAttention(new Shape(1, 8, 8, 1, 2048, 64, 64), dev.clattn.Causal.NONE,
                new java.util.Random(1));
    }

    @Benchmark
    public AttentionResult sync() {
        return engine.compute(request);
    }

    /** Four calls in flight from one thread: one operation is four calls. */
    @Benchmark
    public Object async4() {
        CompletableFuture<?>[] f = new CompletableFuture<?>[4];
        for (int i = 0; i < f.length; i++) {
            f[i] = engine.computeAsync(request);
        }
        return CompletableFuture.allOf(f).join();
    }

    @TearDown
    public void close() {
        engine.close();
    }
}
