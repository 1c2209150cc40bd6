package dev.clattn.jmh;

import dev.clattn.Attention;
import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
 * Where the output goes: a new array per call ({@code compute}) against the caller's array or direct buffer
 * ({@code computeInto}), on a shape whose output (8 heads x N x 64 floats) dwarfs the per-call bookkeeping.
 * Run with {@code -prof gc}: gc.alloc.rate.norm is the bytes one call allocates.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OutputBench {
    @Param({"fused"})
    String path;
    @Param({"256"})
    int n;

    private Attention engine;
    private AttentionRequest request;
    private float[] array;
    private FloatBuffer direct;

    @Setup
    public void open() {
        engine = Engines.open(path);
        request = Engines.selfAttention(8, n, false);
        int out = Math.toIntExact(request.shape().outElements());
        array = new float[out];
        direct = ByteBuffer.allocateDirect(4 * out).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Benchmark
    public AttentionResult newArray() {
        return engine.compute(request);
    }

    @Benchmark
    public float[] callersArray() {
        engine.computeInto(request, array);
        return array;
    }

    @Benchmark
    public FloatBuffer callersDirectBuffer() {
        engine.computeInto(request, direct);
        return direct;
    }

    @TearDown
    public void close() {
        engine.close();
    }
}
