package dev.clattn.opencl;

import java.util.Map;

/** A launcher for an element-wise kernel whose only tunable is WG_SIZE and which uses no local memory. */
abstract class WorkGroupLauncher extends Launcher {
    WorkGroupLauncher(ClContext context, KernelSource source, Map<String, Integer> overrides) {
        this(context, source, overrides, true);
    }

    /** {@code buildNow} false for a kernel that needs shape defines, built on its first launch instead. */
    WorkGroupLauncher(ClContext context, KernelSource source, Map<String, Integer> overrides, boolean buildNow) {
        super(context, source, overrides);
        if (buildNow) {
            build("");
        }
    }

    protected int wg() {
        return params.get("WG_SIZE");
    }
}
