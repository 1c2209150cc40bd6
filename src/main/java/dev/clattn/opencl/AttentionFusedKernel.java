package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.Storage;
import java.util.Map;

/** Host launcher of attention_fused.cl: one program per (D, Dv, storage), built on first use. */
final class AttentionFusedKernel extends Launcher implements FusedKernel {
    AttentionFusedKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides);
    }

    @Override
    protected void checkParams() {
        for (String p : new String[] {"TILE_Q", "TILE_K", "TILE_D", "TILE_J", "WPT_Q", "THREADS_X"}) {
            require(params.get(p) >= 1, p + " must be >= 1");
        }
        require(params.get("TILE_Q") % params.get("WPT_Q") == 0, "TILE_Q must be a multiple of WPT_Q");
        require(params.get("TILE_K") % params.get("THREADS_X") == 0, "TILE_K must be a multiple of THREADS_X");
        require(params.get("TILE_K") % params.get("TILE_J") == 0, "TILE_K must be a multiple of TILE_J");
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
        return (long) params.get("THREADS_X") * (params.get("TILE_Q") / params.get("WPT_Q"));
    }

    /** Local memory without the V stage, which depends on Dv. */
    @Override
    protected long localMemBytes() {
        int tq = params.get("TILE_Q");
        int tk = params.get("TILE_K");
        return 4L * (params.get("TILE_D") * (tq + tk) + tq * (tk + 1) + 3L * tq);
    }

    /** Checks the variant for this Dv against the device (the V stage is TILE_J x Dv floats). */
    @Override
    public void checkShape(Shape s) {
        checkLimits(workGroupSize(), localMemBytes() + 4L * params.get("TILE_J") * s.valueDim());
    }

    @Override
    public void enqueue(Shape s, Storage storage, float scale, int splits, int splitKeys, int head0, int heads,
            ClBuffer q, ClBuffer k, ClBuffer v, ClBuffer o, ClBuffer lse, Masks masks) {
        beginFused(shapeDefines(s, storage), s, scale, splitKeys, head0, q, k, v, o, lse, masks);
        int threadsX = params.get("THREADS_X");
        int threadsY = params.get("TILE_Q") / params.get("WPT_Q");
        long gx = ceilDiv(s.queryLen(), params.get("TILE_Q")) * threadsX;
        launch(new long[] {gx, (long) threadsY * heads, splits}, new long[] {threadsX, threadsY, 1});
    }
}
