package dev.clattn.opencl;

import java.util.Map;

/** Host launcher of pack_kt.cl: K into key panels for attention_fused_vec, one program per (D, panel width). */
final class PackKtKernel extends WorkGroupLauncher {
    PackKtKernel(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        super(context, source, overrides, false);
    }

    /** Floats of the packed K of {@code heads} key heads: every head's keys padded to whole panels. */
    static long elements(long heads, int nk, int headDim, int panel) {
        return heads * Launcher.ceilDiv(nk, panel) * headDim * panel;
    }

    /** The last program's defines, kept so that a repeated shape builds no string. */
    private int lastHeadDim;
    private int lastPanel;
    private String lastDefines;

    void enqueue(ClBuffer k, ClBuffer kt, long heads, int nk, int headDim, int panel) {
        int tiles = (int) ceilDiv(nk, panel);
        long n = heads * tiles * panel;
        if (lastDefines == null || headDim != lastHeadDim || panel != lastPanel) {
            lastDefines = " -DHEAD_D=" + headDim + " -DPANEL=" + panel;
            lastHeadDim = headDim;
            lastPanel = panel;
        }
        begin(lastDefines).mem(k).mem(kt).i(nk).i(tiles).l(n);
        int wg = wg();
        launch1(ceilDiv(n, wg) * wg, wg);
    }
}
