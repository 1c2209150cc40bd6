package dev.clattn.opencl;

import dev.clattn.Shape;
import dev.clattn.tune.Profiles;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kernel (fused, or a stage of the three-kernel path) with its parameters chosen per shape: the file's defaults, under the device class's
 * shipped values for the head dimension (BuiltinParams), under the tuning profile for this device, kernel
 * source and shape bucket, under explicit overrides. One launcher per distinct parameter set, built on first use.
 */
final class ProfiledKernels<T extends Tunable> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProfiledKernels.class);

    private final ClContext context;
    private final KernelSource source;
    private final IntFunction<Map<String, Integer>> builtin;
    private final Map<String, Integer> overrides;
    private final Profiles profiles;
    private final String sourceHash;
    private final Function<Map<String, Integer>, T> factory;
    private final Map<Map<String, Integer>, T> launchers = new HashMap<>();
    /**
     * The kernel chosen per (head dimension, power-of-two bucket of the key length), the granularity at which
     * profiles apply: the lookup runs once per bucket, not per call, and a decode server that sees every Nk
     * holds ~log2(Nk) entries per head dimension, not one per Nk.
     */
    private final Map<Long, T> byShape = new HashMap<>();
    private final T defaults;

    /**
     * @param builtin the device class's shipped values for a head dimension (0: any)
     * @param factory the launcher for a parameter set
     */
    ProfiledKernels(ClContext context, KernelSource source, IntFunction<Map<String, Integer>> builtin,
            Map<String, Integer> overrides, Profiles profiles, Function<Map<String, Integer>, T> factory) {
        this.context = context;
        this.factory = factory;
        this.source = source;
        this.builtin = builtin;
        this.overrides = overrides;
        this.profiles = profiles;
        this.sourceHash = source.hash();
        this.defaults = launcher(merge(Map.of(), 0));
    }

    String name() {
        return source.name();
    }

    /** The launcher without any profile: for logs, and for what does not depend on the shape. */
    T defaults() {
        return defaults;
    }

    private Map<String, Integer> merge(Map<String, Integer> profile, int headDim) {
        Map<String, Integer> p = new TreeMap<>(builtin.apply(headDim));
        profile.forEach((k, v) -> {
            if (source.defaults().containsKey(k)) {
                p.put(k, v);
            }
        });
        p.putAll(overrides);
        return p;
    }

    private T launcher(Map<String, Integer> params) {
        return launchers.computeIfAbsent(params, factory);
    }

    /** The kernel for this shape: the profile for its head dimension and N, or the defaults. */
    T forShape(Shape s) {
        return forShape(s.headDim(), s.keyLen());
    }

    /** The kernel for this head dimension and key length (or cache length): what a profile is keyed by. */
    T forShape(int headDim, int keyLen) {
        long key = ((long) headDim << 32) | Profiles.bucket(keyLen);
        if (key != lastKey || last == null) {
            last = byShape.computeIfAbsent(key, k -> choose(headDim, keyLen));
            lastKey = key;
        }
        return last;
    }

    /** The last shape's choice: a server repeating a shape looks nothing up (and allocates nothing). */
    private long lastKey;
    private T last;

    /** Entries of the per-shape choice, for tests. */
    int shapesCached() {
        return byShape.size();
    }

    private T choose(int headDim, int keyLen) {
        return profiles.lookup(source.name(), sourceHash, context.info(), headDim, keyLen)
                .map(m -> {
                    Map<String, Integer> params = merge(m.profile().params(), headDim);
                    if (!launchers.containsKey(params)) {
                        int k = Profiles.bucket(keyLen);
                        LOG.info("clattn: {} for D={} N {}..{}: {}-level profile {} (tuned {}, N {}..{})",
                                source.name(), headDim, 1L << k, (1L << (k + 1)) - 1, m.level(), params,
                                m.profile().date(), m.profile().nMin(), m.profile().nMax());
                    }
                    return launcher(params);
                })
                .orElseGet(() -> launcher(merge(Map.of(), headDim)));
    }

    @Override
    public void close() {
        launchers.values().forEach(Tunable::close);
        launchers.clear();
        byShape.clear();
        last = null;
    }
}
