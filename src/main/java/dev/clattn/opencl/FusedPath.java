package dev.clattn.opencl;

import dev.clattn.AttentionRequest;
import dev.clattn.AttentionResult;
import dev.clattn.FloatData;
import dev.clattn.HostMemory;
import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.opencl.DeviceBuffers.Role;

/**
 * The fused path: attention_fused over the whole problem, O(N) device memory. When there are too few query
 * tiles to fill the device (decode shapes), the keys are split across work-groups and attention_merge
 * combines the partial results by their log-sum-exp.
 */
final class FusedPath implements AutoCloseable {
    private final DeviceBuffers buffers;
    private final DeviceInfo device;
    private final int configuredSplits;
    private final int maxGridGroups;
    private final DeviceLayout layout;
    private final ProfiledKernels<FusedKernel> fused;
    private final ProfiledKernels<FusedKernel> portable;
    private final boolean fallBack;
    private final AttentionMergeKernel merge;
    private final ToHalfKernel toHalf;
    private final PackKtKernel packKt;

    /**
     * @param fused    the kernel of choice
     * @param portable the kernel for storage {@code fused} does not support (may be the same), and for shapes
     *                 whose {@code fused} program does not fit the device unless {@code fused} was named by
     *                 the configuration ({@code fallBack} false: then such a shape is an error, so that a
     *                 tuning candidate that does not fit is rejected rather than timed as another kernel)
     */
    FusedPath(DeviceBuffers buffers, DeviceInfo device, int configuredSplits, int maxGridGroups,
            ProfiledKernels<FusedKernel> fused, ProfiledKernels<FusedKernel> portable, boolean fallBack,
            AttentionMergeKernel merge, ToHalfKernel toHalf, PackKtKernel packKt, DeviceLayout layout) {
        this.buffers = buffers;
        this.layout = layout;
        this.device = device;
        this.configuredSplits = configuredSplits;
        this.maxGridGroups = maxGridGroups;
        this.fused = fused;
        this.portable = portable;
        this.fallBack = fallBack;
        this.merge = merge;
        this.toHalf = toHalf;
        this.packKt = packKt;
    }

    String describe() {
        return fused.name() + " " + fused.defaults().params()
                + (fused == portable ? "" : " (attention_fused " + portable.defaults().params()
                        + " where it does not support the storage or fit the device)")
                + ", attention_merge " + merge.params();
    }

    /** Key blocks per row: the configured number, or enough to give every compute unit a few work-groups. */
    int splits(Shape s) {
        return splits(s, kernel(s, Storage.F32));
    }

    /**
     * The kernel for this shape and storage: the chosen one where it supports the storage and the shape fits
     * the device (attention_flash keeps Q in local memory, too much for a large head dimension), else the
     * portable one.
     */
    private FusedKernel kernel(Shape s, Storage storage) {
        FusedKernel k = fused.forShape(s);
        if (k.supports(storage) && !fallBack) {
            k.checkShape(s, storage);
        }
        return k.supports(storage) && (!fallBack || k.fits(s)) ? k : portable.forShape(s);
    }

    private int splits(Shape s, FusedKernel fused) {
        return KeySplits.of(device, maxGridGroups, configuredSplits, s.keyLen(), fused.tileK(),
                Launcher.ceilDiv(s.queryLen(), fused.tileQ()) * s.heads());
    }

    /** The kernel and parameters float32 requests of this shape run with. */
    String describe(Shape s) {
        FusedKernel k = kernel(s, Storage.F32);
        return (k == fused.forShape(s) ? fused.name() : portable.name()) + " " + k.params();
    }

    AttentionResult attention(AttentionRequest r) {
        return attention(r, null);
    }

    /** With {@code into}, O goes there and the result is null (nothing is made for the caller). */
    AttentionResult attention(AttentionRequest r, dev.clattn.FloatData into) {
        Shape s = r.shape();
        Storage storage = r.storage();
        FusedKernel fused = kernel(s, storage);
        fused.checkShape(s, storage);
        if (into == null) {
            new HostMemory.Plan().results(r).require();
        }
        int splits = splits(s, fused);
        int splitKeys = (int) (Launcher.ceilDiv(Launcher.ceilDiv(s.keyLen(), splits), fused.tileK()) * fused.tileK());
        splits = (int) Launcher.ceilDiv(s.keyLen(), splitKeys);
        buffers.require(needs(buffers, r, splits, fused.keyPanel()));
        ClBuffer q = storage == Storage.F16 ? half(Role.Q16, Role.Q, r, "q") : layout.input(Role.Q, r, "q");
        ClBuffer k = storage == Storage.F32 ? layout.input(Role.K, r, "k") : half(Role.K16, Role.K, r, "k");
        ClBuffer v = storage == Storage.F32 ? layout.input(Role.V, r, "v") : half(Role.V16, Role.V, r, "v");
        int panel = fused.keyPanel();
        if (panel > 0) {
            ClBuffer kt = buffers.get(Role.KT, 4 * PackKtKernel.elements(kvHeads(s), s.keyLen(), s.headDim(), panel));
            packKt.enqueue(k, kt, kvHeads(s), s.keyLen(), s.headDim(), panel);
            k = kt;
        }
        Masks masks = buffers.masks(r);
        ClBuffer o = buffers.get(Role.O, 4 * s.outElements());
        ClBuffer lse = buffers.get(Role.LSE, 4 * s.lseElements());
        if (splits == 1) {
            enqueue(fused, r, 1, splitKeys, q, k, v, o, lse, masks);
        } else {
            ClBuffer parts = buffers.get(Role.PARTS, 4L * splits * s.outElements());
            ClBuffer partLse = buffers.get(Role.PART_LSE, 4L * splits * s.lseElements());
            enqueue(fused, r, splits, splitKeys, q, k, v, parts, partLse, masks);
            merge.enqueue(parts, partLse, o, lse, splits, Math.toIntExact(s.lseElements()), s.valueDim(),
                    maxGridGroups);
        }
        float[] out = layout.output(o, r, into);
        return into != null ? null : new AttentionResult(out, null,
                r.wantLse() ? buffers.readAll("lse", lse, s.lseElements()) : null);
    }

    /** The device buffers this call will hold: the common ones, the fp16 copies, the key-split parts. */
    private static long kvHeads(Shape s) {
        return (long) s.batch() * s.kvHeads();
    }

    private static long[] needs(DeviceBuffers buffers, AttentionRequest r, int splits, int panel) {
        Shape s = r.shape();
        long[] needs = buffers.needs(r);
        if (r.storage() == Storage.F16) {
            needs[Role.Q16.ordinal()] = 2 * s.qElements();
        }
        if (r.storage() != Storage.F32) {
            needs[Role.K16.ordinal()] = 2 * s.kElements();
            needs[Role.V16.ordinal()] = 2 * s.vElements();
        }
        if (panel > 0) {
            needs[Role.KT.ordinal()] = 4 * PackKtKernel.elements(kvHeads(s), s.keyLen(), s.headDim(), panel);
        }
        if (splits > 1) {
            needs[Role.PARTS.ordinal()] = 4L * splits * s.outElements();
            needs[Role.PART_LSE.ordinal()] = 4L * splits * s.lseElements();
        }
        return needs;
    }

    /** One launch per part of at most maxGridGroups heads (grid dimension 1). */
    private void enqueue(FusedKernel fused, AttentionRequest r, int splits, int splitKeys, ClBuffer q, ClBuffer k,
            ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        int heads = r.shape().heads();
        String score = ScoreDefines.of(r);
        for (int h0 = 0; h0 < heads; h0 += maxGridGroups) {
            fused.enqueue(r.shape(), r.storage(), score, r.scale(), splits, splitKeys, h0,
                    Math.min(maxGridGroups, heads - h0), q, k, v, o, lse, masks);
        }
    }

    /** Uploads float data to a staging buffer and converts it to fp16 on the device. */
    private ClBuffer half(Role target, Role staging, AttentionRequest r, String name) {
        ClBuffer src = layout.input(staging, r, name);
        long elements = DeviceLayout.data(r, name).length();
        ClBuffer dst = buffers.get(target, 2 * elements);
        toHalf.enqueue(src, dst, elements);
        return dst;
    }

    @Override
    public void close() {
        fused.close();
        if (portable != fused) {
            portable.close();
        }
        merge.close();
        toHalf.close();
        packKt.close();
    }
}
