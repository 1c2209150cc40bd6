package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.Storage;
import dev.clattn.KernelBuildException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host launcher of attention_flash.cl, the fused kernel shaped for GPUs: (TILE_Q / WPT_Q) x (TILE_K / WPT_K)
 * work-items per group, Q resident in local memory. One program per (D, Dv, storage, mask and bias present),
 * since the mask and bias code is compiled in only for requests that have them. What a program needs on the
 * device is the driver's answer (clGetKernelWorkGroupInfo), not a formula mirrored here.
 */
final class AttentionFlashKernel extends Launcher implements FusedKernel {
    private static final Logger LOG = LoggerFactory.getLogger(AttentionFlashKernel.class);

    private final Map<Long, Boolean> fitsByDims = new HashMap<>();

    AttentionFlashKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    @Override
    protected void checkParams() {
        for (String p : new String[] {"TILE_Q", "TILE_K", "WPT_Q", "WPT_K", "TILE_D", "TILE_J"}) {
            require(params.get(p) >= 1, p + " must be >= 1");
        }
        require(params.get("TILE_Q") % params.get("WPT_Q") == 0, "TILE_Q must be a multiple of WPT_Q");
        require(params.get("TILE_K") % params.get("WPT_K") == 0, "TILE_K must be a multiple of WPT_K");
        require(params.get("TILE_K") % params.get("TILE_J") == 0, "TILE_J must divide TILE_K");
        require(params.get("TILE_J") % params.get("WPT_K") == 0, "TILE_J must be a multiple of WPT_K");
        int lanes = lanes();
        int exchange = params.get("EXCHANGE");
        require(exchange >= 0 && exchange <= 2, "EXCHANGE must be 0, 1 or 2");
        require(exchange == 0 || (lanes & (lanes - 1)) == 0 && lanes <= 32,
                "shuffles need TILE_K / WPT_K lanes a power of two up to 32, got " + lanes);
        // shfl.sync names all 32 lanes of a warp: a partial last warp would wait for lanes that do not exist.
        require(exchange != 1 || workGroupSize() % 32 == 0,
                "EXCHANGE 1 needs whole warps, a work-group of a multiple of 32, got " + workGroupSize());
    }

    private int lanes() {
        return params.get("TILE_K") / params.get("WPT_K");
    }

    @Override
    public boolean supports(Storage storage) {
        return true;
    }

    @Override
    public int tileQ() {
        return params.get("TILE_Q");
    }

    @Override
    public int tileK() {
        return params.get("TILE_K");
    }

    @Override
    protected long workGroupSize() {
        return (long) lanes() * (params.get("TILE_Q") / params.get("WPT_Q"));
    }

    /** Local memory depends on the head dimensions: the driver reports it per built program ({@link #fits}). */
    @Override
    protected long localMemBytes() {
        return 0;
    }

    /**
     * Whether this shape's program fits the device, as the driver reports it after the build (Q stays in
     * local memory, so a large head dimension may not); a build the device refuses for its size is no fit.
     */
    @Override
    public boolean fits(Shape s) {
        return fitsByDims.computeIfAbsent(((long) s.headDim() << 32) | s.valueDim(), key -> {
            String defines = defines(s, Storage.F32, false, false);
            try {
                ClContext.KernelResources r = resources(defines);
                boolean fits = r.localMemBytes() <= context.info().localMemBytes()
                        && r.maxWorkGroupSize() >= workGroupSize();
                if (!fits) {
                    LOG.info("clattn: attention_flash {} for D={} Dv={} needs {} B of local memory and {} work-items;"
                            + " the device has {} B and runs {}", params, s.headDim(), s.valueDim(),
                            r.localMemBytes(), workGroupSize(), context.info().localMemBytes(), r.maxWorkGroupSize());
                }
                return fits;
            } catch (KernelBuildException e) {
                LOG.info("clattn: attention_flash {} for D={} Dv={} does not build on this device: {}", params,
                        s.headDim(), s.valueDim(), e.getMessage().lines().findFirst().orElse(""));
                return false;
            }
        });
    }

    @Override
    public void checkShape(Shape s) {
        if (!fits(s)) {
            throw new IllegalArgumentException("AttentionFlashKernel " + params + ": D=" + s.headDim() + " Dv="
                    + s.valueDim() + " does not fit the device's local memory or work-group size");
        }
    }

    private static String defines(Shape s, Storage storage, boolean mask, boolean bias) {
        return shapeDefines(s, storage) + (mask ? " -DMASK_OPERAND" : "") + (bias ? " -DBIAS_OPERAND" : "");
    }

    @Override
    public void enqueue(Shape s, Storage storage, float scale, int splits, int splitKeys, int head0, int heads,
            ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        beginFused(defines(s, storage, masks.mask().present() != 0, masks.bias().present() != 0), s, scale, splitKeys,
                head0, q, k, v, o, lse, masks);
        int lanes = lanes();
        int groupsQ = params.get("TILE_Q") / params.get("WPT_Q");
        long gx = ceilDiv(s.queryLen(), params.get("TILE_Q")) * lanes;
        launch(new long[] {gx, (long) groupsQ * heads, splits}, new long[] {lanes, groupsQ, 1});
    }
}
