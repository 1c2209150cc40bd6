package dev.clattn.opencl;

import java.util.Map;
import java.util.TreeMap;

/** Values of a kernel's tunables, passed to the compiler as {@code -D NAME=value}. */
public final class KernelParams {
    private final Map<String, Integer> values;

    private KernelParams(Map<String, Integer> values) {
        this.values = values;
    }

    /** The source's defaults with {@code overrides} on top; an override the source does not declare is an error. */
    public static KernelParams of(KernelSource source, Map<String, Integer> overrides) {
        Map<String, Integer> values = new TreeMap<>(source.defaults());
        overrides.forEach((name, value) -> {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException(source.name() + ": unknown tunable " + name + ", declared: "
                        + values.keySet());
            }
            values.put(name, value);
        });
        return new KernelParams(values);
    }

    public int get(String name) {
        Integer v = values.get(name);
        if (v == null) {
            throw new IllegalStateException("tunable " + name + " is not declared by the kernel source");
        }
        return v;
    }

    /** Every tunable and its value. */
    public Map<String, Integer> values() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** Compiler options. */
    public String defines() {
        StringBuilder sb = new StringBuilder("-cl-std=CL1.2");
        values.forEach((k, v) -> sb.append(" -D").append(k).append('=').append(v));
        return sb.toString();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
