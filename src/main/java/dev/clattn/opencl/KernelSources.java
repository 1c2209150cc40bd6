package dev.clattn.opencl;

import dev.clattn.Config;
import dev.clattn.tune.Profiles;
import java.util.HashMap;
import java.util.Map;

/**
 * Kernel sources (jar or directory) and their parameters for one backend: built-in, then (the tuned kernels)
 * the tuning profile, then the configuration's and the API's overrides.
 */
record KernelSources(ClContext context, Config config, DeviceInfo info, Map<String, Map<String, Integer>> overrides,
        Profiles profiles) {
    /** The launcher of one kernel source at one parameter set. */
    interface Factory<T> {
        T make(ClContext context, KernelSource source, Map<String, Integer> params);
    }

    KernelSource source(String name) {
        return KernelSource.load(name, config.kernelDir());
    }

    Map<String, Integer> explicit(String name) {
        Map<String, Integer> values = new HashMap<>(config.params().getOrDefault(name, Map.of()));
        values.putAll(overrides.getOrDefault(name, Map.of()));
        return values;
    }

    Map<String, Integer> params(KernelSource source) {
        Map<String, Integer> values = new HashMap<>(BuiltinParams.of(source, info));
        values.putAll(explicit(source.name()));
        return values;
    }

    /** The launcher of a kernel that takes no profile: built-in parameters under the explicit ones. */
    <T> T launcher(String name, Factory<T> factory) {
        KernelSource source = source(name);
        return factory.make(context, source, params(source));
    }

    <T extends Tunable> ProfiledKernels<T> profiled(String name, Factory<T> factory) {
        KernelSource source = source(name);
        return new ProfiledKernels<>(context, source, d -> BuiltinParams.of(source, info, d), explicit(name),
                profiles, p -> factory.make(context, source, p));
    }

    ProfiledKernels<FusedKernel> fused(String name) {
        return profiled(name, switch (name) {
            case "attention_fused_vec" -> AttentionFusedVecKernel::new;
            case "attention_flash" -> AttentionFlashKernel::new;
            default -> AttentionFusedKernel::new;
        });
    }
}
