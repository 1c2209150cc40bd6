package dev.clattn.opencl;

import dev.clattn.AttentionPath;
import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.spi.Backend;
import dev.clattn.Config;
import dev.clattn.InvalidRequestException;
import dev.clattn.Storage;
import dev.clattn.tune.Profiles;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenCL on one device: the fused path by default, the three-kernel path when the weights are asked for or
 * the configuration forces it. Calls are serialised on this object (one queue, one set of buffers); after
 * {@link #close()}, which waits for a call in flight, every method that would touch the device throws
 * {@link IllegalStateException}: a released context must never reach the driver, where it crashes the JVM.
 */
public final class OpenClBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);

    private final ClContext context;
    private final DeviceBuffers buffers;
    private final AttentionPath path;
    private ThreeKernelPath threeKernel;
    private FusedPath fused;
    private EdgesPath edges;
    private AttentionPatchesKernel patches;
    private AttentionPatchesVecKernel patchesVec;
    private LinearKernel linear;
    private ProfiledKernels<AttentionPagedKernel> paged;
    private KvAppendKernel kvAppend;
    /** On CPU devices, the vectorised attention_paged for block sizes that are a multiple of 4; else null. */
    private AttentionPagedKernel pagedVec;
    private AttentionMergeKernel merge;
    private final int maxGridGroups;
    private final boolean profiling;
    private volatile boolean closed;

    public OpenClBackend(OpenCl.Device device, Config config) {
        this(device, config, Map.of());
    }

    /**
     * A backend whose kernels use {@code overrides} (kernel name → tunable → value) on top of the built-in
     * parameters; an override naming a tunable the kernel does not declare is an error.
     */
    public OpenClBackend(OpenCl.Device device, Config config, Map<String, Map<String, Integer>> overrides) {
        this.context = new ClContext(device, config.profiling(), config.programCache());
        this.buffers = new DeviceBuffers(context, this);
        buffers.countAlso(() -> residentBytes);
        this.path = config.path();
        this.maxGridGroups = config.maxGridGroups();
        this.profiling = config.profiling();
        DeviceInfo info = device.info();
        java.util.List<Launcher> built = new java.util.ArrayList<>();
        java.util.List<ProfiledKernels<?>> profiled = new java.util.ArrayList<>();
        try {
            Profiles profiles = config.useProfiles() ? Profiles.load(config.profileDir()) : new Profiles(java.util.List.of());
            KernelSources sources = new KernelSources(context, config, info, overrides, profiles);
            DeviceLayout layout = new DeviceLayout(buffers, track(built, sources.launcher("transpose_heads",
                    TransposeHeadsKernel::new)), track(built, sources.launcher("rope", RopeKernel::new)));
            threeKernel = new ThreeKernelPath(buffers, Math.min(config.scoreBufferBytes(), info.maxAllocBytes()),
                    config.maxGridGroups(),
                    track(profiled, sources.profiled("qkt", QktKernel::new)),
                    track(profiled, sources.profiled("softmax_rows", SoftmaxRowsKernel::new)),
                    track(profiled, sources.profiled("av", AvKernel::new)), layout);
            ProfiledKernels<FusedKernel> portable = track(profiled, sources.fused("attention_fused"));
            String variant = config.fusedKernel() != null ? config.fusedKernel() : info.fusedKernel();
            ProfiledKernels<FusedKernel> chosen = variant.equals("attention_fused") ? portable
                    : track(profiled, sources.fused(variant));
            this.merge = track(built, sources.launcher("attention_merge", AttentionMergeKernel::new));
            this.kvAppend = track(built, sources.launcher("kv_append", KvAppendKernel::new));
            this.paged = track(profiled, sources.profiled("attention_paged", AttentionPagedKernel::new));
            if (info.isCpu()) {
                this.pagedVec = track(built, sources.launcher("attention_paged_vec", AttentionPagedKernel::new));
            }
            fused = new FusedPath(buffers, info, config.keySplits(), config.maxGridGroups(), chosen, portable,
                    config.fusedKernel() == null, this.merge,
                    track(built, sources.launcher("to_half", ToHalfKernel::new)),
                    track(built, sources.launcher("pack_kt", PackKtKernel::new)), layout);
            edges = new EdgesPath(buffers, layout, track(built, sources.launcher("attention_edges",
                    AttentionEdgesKernel::new)), config.maxGridGroups());
            patches = track(built, sources.launcher("attention_patches", AttentionPatchesKernel::new));
            linear = track(built, sources.launcher("linear", LinearKernel::new));
            if (info.isCpu()) {
                patchesVec = track(built, sources.launcher("attention_patches_vec", AttentionPatchesVecKernel::new));
            }
        } catch (RuntimeException e) {
            built.forEach(Launcher::close);
            profiled.forEach(ProfiledKernels::close);
            threeKernel = null;
            fused = null;
            edges = null;
            close();
            throw e;
        }
        warnWithoutSignalChaining(info);
        LOG.info("clattn: OpenCL on {}; path {}; {}; {}; kernels from {}", info.describe(), path, fused.describe(),
                threeKernel.describe(), config.kernelDir() == null ? "the jar" : config.kernelDir());
    }

    /**
     * PoCL builds kernels with LLVM in this process, and LLVM installs SIGSEGV handlers over the JVM's, which
     * the JVM needs for safepoints and null checks: without signal chaining the JVM can die later, far from here.
     */
    private static void warnWithoutSignalChaining(DeviceInfo info) {
        String preload = System.getenv("LD_PRELOAD");
        if (info.platformName().contains("Portable Computing Language")
                && (preload == null || !preload.contains("libjsig"))) {
            LOG.warn("clattn: PoCL's LLVM replaces the JVM's signal handlers; run the JVM with "
                    + "LD_PRELOAD=$JAVA_HOME/lib/libjsig.so or it may crash (README: PoCL and signal handlers)");
        }
    }

    /** Adds what was made to the list that closes it if a later step fails. */
    private static <C extends AutoCloseable, T extends C> T track(java.util.List<C> built, T made) {
        built.add(made);
        return made;
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("OpenCL backend used after close (" + context.info().name() + ")");
        }
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String device() {
        return context.info().describe();
    }

    public DeviceInfo info() {
        return context.info();
    }

    /** Bytes of device memory the engine holds now for calls (KV caches count on their own). */
    @Override
    public synchronized long deviceBytesHeld() {
        return buffers.heldBytes();
    }

    @Override
    public synchronized int programsCached() {
        return closed ? 0 : context.programsHeld();
    }

    @Override
    public synchronized double kernelMillis() {
        return closed || !profiling ? Double.NaN : context.totalKernelMillis();
    }

    /** The fused kernel and parameters (after profiles and overrides) float32 requests of this shape use. */
    public synchronized String fusedKernel(dev.clattn.Shape shape) {
        ensureOpen();
        return fused.describe(shape);
    }

    /** The three-kernel path's kernels and parameters. */
    public synchronized String threeKernelParams() {
        return threeKernel.describe();
    }

    /**
     * Device time per kernel name (ms) of the calls since the last take, from OpenCL profiling events; empty
     * unless the configuration turned profiling on.
     */
    public synchronized Map<String, Double> takeKernelMillis() {
        ensureOpen();
        return context.takeKernelMillis();
    }

    /** Key blocks the fused path would use for this shape. */
    public synchronized int keySplits(dev.clattn.Shape shape) {
        ensureOpen();
        return fused.splits(shape);
    }

    @Override
    public synchronized AttentionResult attention(AttentionRequest request) {
        ensureOpen();
        AttentionRequest r = request.additiveAsDot();
        if (r.edges() != null) {
            return edges.attention(r, null);
        }
        boolean useFused = path == AttentionPath.FUSED || (path == AttentionPath.AUTO && !r.wantWeights());
        if (useFused && r.wantWeights()) {
            throw new InvalidRequestException("weights", "path auto or three-kernel (the fused path computes no "
                    + "attention weights)", "path fused");
        }
        if (!useFused && r.storage() != Storage.F32) {
            throw new InvalidRequestException("storage", "f32 on the three-kernel path"
                    + (r.wantWeights() ? ", which the weights require" : "") + " (half storage needs the fused path)",
                    r.storage().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return useFused ? fused.attention(r) : threeKernel.attention(r);
    }

    /** On the fused path (the three-kernel one when the configuration forces it), O read into {@code out}. */
    @Override
    public synchronized void attentionInto(AttentionRequest request, dev.clattn.FloatData out) {
        ensureOpen();
        AttentionRequest r = request.additiveAsDot();
        if (r.edges() != null) {
            edges.attention(r, out);
        } else if (path == AttentionPath.THREE_KERNEL) {
            Backend.super.attentionInto(r, out);
        } else {
            fused.attention(r, out);
        }
    }

    /** X, W, b and Y through four of the call buffers. */
    @Override
    public synchronized float[] linear(dev.clattn.Linear r) {
        ensureOpen();
        long[] needs = buffers.noNeeds();
        needs[DeviceBuffers.Role.Q.ordinal()] = 4L * r.x().length;
        needs[DeviceBuffers.Role.K.ordinal()] = 4L * r.weight().length;
        needs[DeviceBuffers.Role.BIAS.ordinal()] = 4L * r.out();
        needs[DeviceBuffers.Role.O.ordinal()] = 4L * r.rows() * r.out();
        buffers.require(needs);
        ClBuffer x = buffers.get(DeviceBuffers.Role.Q, 4L * r.x().length);
        buffers.write(x, org.jocl.Pointer.to(r.x()), 4L * r.x().length);
        ClBuffer w = buffers.get(DeviceBuffers.Role.K, 4L * r.weight().length);
        buffers.write(w, org.jocl.Pointer.to(r.weight()), 4L * r.weight().length);
        ClBuffer b = buffers.get(DeviceBuffers.Role.BIAS, 4L * r.out());
        if (r.bias() != null) {
            buffers.write(b, org.jocl.Pointer.to(r.bias()), 4L * r.out());
        }
        ClBuffer y = buffers.get(DeviceBuffers.Role.O, 4L * r.rows() * r.out());
        linear.enqueue(x, w, b, r.bias() != null, y, r.rows(), r.in(), r.out());
        return buffers.readAll("output", y, (long) r.rows() * r.out());
    }

    /**
     * The extended image in, the output image out, through call buffers: attention_patches_vec on a CPU device
     * (its scratch in the score buffer's role), attention_patches elsewhere.
     */
    @Override
    public synchronized float[] attentionPatches(dev.clattn.PatchAttention r) {
        ensureOpen();
        long[] needs = buffers.noNeeds();
        long padded = 4L * (r.extended().length + AttentionPatchesVecKernel.PAD_FLOATS);
        needs[DeviceBuffers.Role.Q.ordinal()] = padded;
        needs[DeviceBuffers.Role.O.ordinal()] = 4L * r.outputLength();
        needs[DeviceBuffers.Role.SCORES.ordinal()] = patchesVec == null ? 4 : patchesVec.scratchBytes(r);
        buffers.require(needs);
        ClBuffer e = buffers.get(DeviceBuffers.Role.Q, padded);
        buffers.write(e, org.jocl.Pointer.to(r.extended()), 4L * r.extended().length);
        ClBuffer o = buffers.get(DeviceBuffers.Role.O, 4L * r.outputLength());
        if (patchesVec != null) {
            patchesVec.enqueue(r, e, o, buffers.get(DeviceBuffers.Role.SCORES, patchesVec.scratchBytes(r)));
        } else {
            patches.enqueue(r, e, o);
        }
        return buffers.readAll("output", o, r.outputLength());
    }

    @Override
    public synchronized float[] qkt(AttentionRequest request) {
        ensureOpen();
        AttentionRequest r = request.additiveAsDot();
        r.checkNoEdges("qkt");
        return threeKernel.qkt(r);
    }

    @Override
    public synchronized float[] softmaxRows(AttentionRequest r, float[] scores, float[] lse) {
        ensureOpen();
        r.checkNoEdges("softmax_rows");
        r.checkScores("scores", scores);
        r.checkLse(lse);
        return threeKernel.softmaxRows(r, scores, lse);
    }

    @Override
    public synchronized float[] av(AttentionRequest r, float[] weights) {
        ensureOpen();
        r.checkNoEdges("av");
        r.checkScores("weights", weights);
        return threeKernel.av(r, weights);
    }

    /**
     * Bytes of the open KV cache pools and device tensors: what the call buffers' checks count beside their own.
     * Kept up to date as they come and go, so that a call's check adds a field, not a sum over them.
     */
    private long residentBytes;

    /** A KV cache pool or a device tensor freed. */
    synchronized void released(long bytes) {
        residentBytes -= bytes;
    }

    /** A device buffer holding the data, written once. */
    @Override
    public synchronized Object uploadResident(dev.clattn.FloatData data) {
        ensureOpen();
        long bytes = 4 * Math.max(1, data.length());
        if (bytes > context.info().maxAllocBytes()) {
            throw new dev.clattn.RequestTooLargeException("tensor", bytes, "the device's largest buffer of "
                    + context.info().maxAllocBytes() + " bytes");
        }
        long held = buffers.heldBytes() + residentBytes;
        if (bytes + held > context.info().globalMemBytes()) {
            throw new dev.clattn.RequestTooLargeException("tensor", bytes, "the device's "
                    + context.info().globalMemBytes() + " bytes of memory with " + held + " held");
        }
        ClBuffer buf = new ClBuffer(context.allocate(bytes), bytes);
        try {
            DeviceBuffers.writeData(context, buf, data, new ArrayPointer());
        } catch (RuntimeException e) {
            buf.close();
            throw e;
        }
        residentBytes += buf.bytes();
        return buf;
    }

    @Override
    public synchronized void freeResident(Object handle) {
        ClBuffer buf = (ClBuffer) handle;
        if (!buf.isClosed()) {
            released(buf.bytes());
            buf.close();
        }
    }

    /** KV cache blocks in device memory; attention over them runs attention_paged on this device. */
    @Override
    public synchronized dev.clattn.spi.KvStore kvStore(dev.clattn.KvCache.Layout layout) {
        ensureOpen();
        OpenClKvStore.Kernels kernel = pagedVec != null && layout.blockSize() % 4 == 0 ? (d, n) -> pagedVec
                : paged::forShape;
        OpenClKvStore store = new OpenClKvStore(this, context, buffers, kernel, merge, kvAppend, maxGridGroups, layout,
                residentBytes);
        residentBytes += store.bytesHeld();
        return store;
    }

    @Override
    public synchronized void releaseBuffers() {
        if (!closed) {
            buffers.close();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (threeKernel != null) {
            threeKernel.close();
        }
        if (fused != null) {
            fused.close();
        }
        if (edges != null) {
            edges.close();
        }
        if (paged != null) {
            paged.close();
        }
        if (pagedVec != null) {
            pagedVec.close();
        }
        if (patches != null) {
            patches.close();
        }
        if (patchesVec != null) {
            patchesVec.close();
        }
        if (linear != null) {
            linear.close();
        }
        buffers.close();
        context.close();
    }
}
