package dev.clattn;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Every knob of clattn in one place. {@link #defaults()} and {@link #builder()} are hermetic: they read no
 * environment variable and no system property, so that an engine embedded in a server behaves the same
 * whatever the process was started with. {@link #fromEnvironment()} and {@link #builderFromEnvironment()}
 * (the CLI, the tests, {@link Attention#open()}) take each knob from its system property, else its
 * environment variable, else the default; a builder's setters win over all three. Only there is the user's
 * profile directory (~/.clattn/profiles) a default: hermetic configurations use the profiles shipped in the
 * jar unless given a directory.
 *
 * <table>
 * <caption>Knobs</caption>
 * <tr><th>property</th><th>environment</th><th>default</th><th>meaning</th></tr>
 * <tr><td>clattn.backend</td><td>CLATTN_BACKEND</td><td>auto</td><td>auto, opencl or cpu</td></tr>
 * <tr><td>clattn.platform</td><td>CLATTN_PLATFORM</td><td>(any)</td><td>platform index or name substring</td></tr>
 * <tr><td>clattn.device</td><td>CLATTN_DEVICE</td><td>(best)</td><td>device index or name substring</td></tr>
 * <tr><td>clattn.kernels</td><td>CLATTN_KERNELS</td><td>(jar)</td><td>directory of .cl files to use instead</td></tr>
 * <tr><td>clattn.threads</td><td>CLATTN_THREADS</td><td>cores</td><td>CPU fallback threads</td></tr>
 * <tr><td>clattn.scoreBufferMiB</td><td>CLATTN_SCORE_BUFFER_MIB</td><td>256</td><td>cap on the device score
 * buffer; larger problems run in chunks</td></tr>
 * <tr><td>clattn.path</td><td>CLATTN_PATH</td><td>auto</td><td>auto (fused unless weights are asked for), fused
 * or three-kernel</td></tr>
 * <tr><td>clattn.keySplits</td><td>CLATTN_KEY_SPLITS</td><td>0</td><td>fused path: key blocks per row, merged by
 * LSE; 0 chooses from the device's size (decode shapes)</td></tr>
 * <tr><td>clattn.fusedKernel</td><td>CLATTN_FUSED_KERNEL</td><td>auto</td><td>attention_flash (GPU devices),
 * attention_fused (portable), attention_fused_vec (CPU devices), or auto: the one that suits the device</td></tr>
 * <tr><td>clattn.profiles</td><td>CLATTN_PROFILES</td><td>~/.clattn/profiles</td><td>directory of tuning
 * profiles (JSON), on top of those shipped in the jar; {@code none}: no profiles at all, not even the jar's
 * (kernel defaults, as when benchmarking untuned parameters)</td></tr>
 * <tr><td>clattn.params</td><td>CLATTN_PARAMS</td><td>(none)</td><td>kernel parameters for this run, over profiles
 * and defaults: {@code attention_fused.TILE_Q=64,attention_fused_vec.ROWS=2}</td></tr>
 * <tr><td>clattn.profiling</td><td>CLATTN_PROFILING</td><td>false</td><td>time every kernel with OpenCL
 * profiling events (bench and tune turn it on)</td></tr>
 * <tr><td>clattn.programCache</td><td>CLATTN_PROGRAM_CACHE</td><td>32</td><td>built OpenCL programs kept per
 * engine (one per kernel, head dims and parameters), least recently used evicted first</td></tr>
 * <tr><td>clattn.lanes</td><td>CLATTN_LANES</td><td>1</td><td>backends per engine that run calls at the same
 * time, each with its own queue, buffers and programs (more memory, more calls in flight)</td></tr>
 * <tr><td>clattn.maxGridGroups</td><td>CLATTN_MAX_GRID_GROUPS</td><td>65535</td><td>work-groups per launch in grid
 * dimensions 1 and 2 (NVIDIA's limit); larger problems are launched in parts</td></tr>
 * <tr><td>clattn.requireOpenCl</td><td>CLATTN_REQUIRE_OPENCL</td><td>false</td><td>tests: no OpenCL device is a
 * failure, not a skip</td></tr>
 * </table>
 */
public final class Config {
    private final BackendKind backend;
    private final String platform;
    private final String device;
    private final Path kernelDir;
    private final int threads;
    private final long scoreBufferBytes;
    private final boolean requireOpenCl;
    private final boolean profiling;
    private final AttentionPath path;
    private final int keySplits;
    private final String fusedKernel;
    private final Path profileDir;
    private final boolean useProfiles;
    private final Map<String, Map<String, Integer>> params;
    private final int programCache;
    private final int maxGridGroups;
    private final int lanes;

    private Config(Builder b) {
        this.backend = b.backend;
        this.platform = b.platform;
        this.device = b.device;
        this.kernelDir = b.kernelDir;
        this.threads = b.threads;
        this.scoreBufferBytes = b.scoreBufferBytes;
        this.requireOpenCl = b.requireOpenCl;
        this.profiling = b.profiling;
        this.path = b.path;
        this.keySplits = b.keySplits;
        this.fusedKernel = b.fusedKernel;
        this.profileDir = b.profileDir;
        this.useProfiles = b.useProfiles;
        this.params = b.params;
        this.programCache = b.programCache;
        this.maxGridGroups = b.maxGridGroups;
        this.lanes = b.lanes;
    }

    /** The defaults alone: nothing read from the environment or the system properties. */
    public static Config defaults() {
        return builder().build();
    }

    /** Knobs from system properties and the environment, over the defaults. */
    public static Config fromEnvironment() {
        return builderFromEnvironment().build();
    }

    /** A builder preset with the defaults alone (hermetic). */
    public static Builder builder() {
        return new Builder(Map.of(), name -> null, false);
    }

    /** A builder preset from system properties and the environment. */
    public static Builder builderFromEnvironment() {
        return new Builder(System.getenv(), System::getProperty, true);
    }

    static Builder builder(Map<String, String> env, Function<String, String> props) {
        return new Builder(env, props, true);
    }

    public BackendKind backend() {
        return backend;
    }

    /** Platform selector (index or name substring), or null for any. */
    public String platform() {
        return platform;
    }

    /** Device selector (index or name substring), or null for the best device. */
    public String device() {
        return device;
    }

    /** Directory of kernel sources overriding those in the jar, or null. */
    public Path kernelDir() {
        return kernelDir;
    }

    public int threads() {
        return threads;
    }

    public long scoreBufferBytes() {
        return scoreBufferBytes;
    }

    public boolean requireOpenCl() {
        return requireOpenCl;
    }

    public AttentionPath path() {
        return path;
    }

    /** Whether the OpenCL queue records a profiling event for every kernel. */
    public boolean profiling() {
        return profiling;
    }

    /** The user's tuning-profile directory, or null for the jar's profiles alone. */
    public Path profileDir() {
        return profileDir;
    }

    /** False when no tuning profile applies, neither the user's nor the jar's. */
    public boolean useProfiles() {
        return useProfiles;
    }

    /** Kernel parameters that override profiles and defaults: kernel name → tunable → value. */
    public Map<String, Map<String, Integer>> params() {
        return params;
    }

    /** The fused kernels an engine can be told to use. */
    public static final java.util.List<String> FUSED_KERNELS =
            java.util.List.of("attention_flash", "attention_fused", "attention_fused_vec");

    /** One of {@link #FUSED_KERNELS}, or null for the one that suits the device. */
    public String fusedKernel() {
        return fusedKernel;
    }

    /** Key blocks per row on the fused path, 0 for automatic. */
    public int keySplits() {
        return keySplits;
    }

    /** Built programs kept per engine before the least recently used is released. */
    public int programCache() {
        return programCache;
    }

    /** Work-groups one launch may have in grid dimensions 1 and 2. */
    public int maxGridGroups() {
        return maxGridGroups;
    }

    /** Backends per engine running calls at the same time. */
    public int lanes() {
        return lanes;
    }

    @Override
    public String toString() {
        return "backend=" + backend.name().toLowerCase(java.util.Locale.ROOT) + " platform=" + orAny(platform)
                + " device=" + orAny(device) + " kernels=" + (kernelDir == null ? "(jar)" : kernelDir)
                + " threads=" + threads + " scoreBufferMiB=" + (scoreBufferBytes >> 20) + " path="
                + path.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " keySplits="
                + (keySplits == 0 ? "auto" : keySplits) + " fusedKernel=" + orAny(fusedKernel) + " profiles="
                + (useProfiles ? (profileDir == null ? "(jar)" : profileDir) : "none") + (profiling ? " profiling=on" : "") + (params.isEmpty() ? "" : " params=" + params)
                + " programCache=" + programCache + " maxGridGroups=" + maxGridGroups + " lanes=" + lanes;
    }

    private static String orAny(String s) {
        return s == null ? "(auto)" : s;
    }

    /** Builder, preset from the environment. */
    public static final class Builder {
        private BackendKind backend;
        private String platform;
        private String device;
        private Path kernelDir;
        private int threads;
        private long scoreBufferBytes;
        private boolean requireOpenCl;
        private boolean profiling;
        private AttentionPath path;
        private int keySplits;
        private String fusedKernel;
        private Path profileDir;
        private boolean useProfiles = true;
        private Map<String, Map<String, Integer>> params = Map.of();
        private int programCache;
        private int maxGridGroups;
        private int lanes;

        private Builder(Map<String, String> env, Function<String, String> props, boolean userProfiles) {
            Function<String[], String> read = names -> {
                String v = props.apply(names[0]);
                if (v == null || v.isBlank()) {
                    v = env.get(names[1]);
                }
                return v == null || v.isBlank() ? null : v.trim();
            };
            String b = read.apply(new String[] {"clattn.backend", "CLATTN_BACKEND"});
            backend = b == null ? BackendKind.AUTO : BackendKind.parse(b);
            platform = read.apply(new String[] {"clattn.platform", "CLATTN_PLATFORM"});
            device = read.apply(new String[] {"clattn.device", "CLATTN_DEVICE"});
            String k = read.apply(new String[] {"clattn.kernels", "CLATTN_KERNELS"});
            kernelDir = k == null ? null : Path.of(k);
            String t = read.apply(new String[] {"clattn.threads", "CLATTN_THREADS"});
            threads(t == null ? Runtime.getRuntime().availableProcessors() : parseInt("clattn.threads", t));
            String s = read.apply(new String[] {"clattn.scoreBufferMiB", "CLATTN_SCORE_BUFFER_MIB"});
            scoreBufferMiB(s == null ? 256 : parseInt("clattn.scoreBufferMiB", s));
            String r = read.apply(new String[] {"clattn.requireOpenCl", "CLATTN_REQUIRE_OPENCL"});
            requireOpenCl = flag(r);
            profiling = flag(read.apply(new String[] {"clattn.profiling", "CLATTN_PROFILING"}));
            String p = read.apply(new String[] {"clattn.path", "CLATTN_PATH"});
            path = p == null ? AttentionPath.AUTO : AttentionPath.parse(p);
            String ks = read.apply(new String[] {"clattn.keySplits", "CLATTN_KEY_SPLITS"});
            keySplits(ks == null ? 0 : parseInt("clattn.keySplits", ks));
            String fk = read.apply(new String[] {"clattn.fusedKernel", "CLATTN_FUSED_KERNEL"});
            fusedKernel(fk);
            String pd = read.apply(new String[] {"clattn.profiles", "CLATTN_PROFILES"});
            if ("none".equals(pd)) {
                useProfiles = false;
            } else {
                profileDir = pd != null ? Path.of(pd)
                        : userProfiles ? Path.of(System.getProperty("user.home"), ".clattn", "profiles") : null;
            }
            String pa = read.apply(new String[] {"clattn.params", "CLATTN_PARAMS"});
            params = pa == null ? Map.of() : parseParams(pa);
            String pc = read.apply(new String[] {"clattn.programCache", "CLATTN_PROGRAM_CACHE"});
            programCache(pc == null ? 32 : parseInt("clattn.programCache", pc));
            String mg = read.apply(new String[] {"clattn.maxGridGroups", "CLATTN_MAX_GRID_GROUPS"});
            maxGridGroups(mg == null ? 65535 : parseInt("clattn.maxGridGroups", mg));
            String ln = read.apply(new String[] {"clattn.lanes", "CLATTN_LANES"});
            lanes(ln == null ? 1 : parseInt("clattn.lanes", ln));
        }

        /** Parses {@code kernel.NAME=value,...}. */
        static Map<String, Map<String, Integer>> parseParams(String text) {
            Map<String, Map<String, Integer>> out = new java.util.TreeMap<>();
            for (String item : text.split(",")) {
                String[] kv = item.trim().split("=");
                int dot = kv[0].lastIndexOf('.');
                if (kv.length != 2 || dot < 1) {
                    throw new InvalidRequestException("clattn.params", "kernel.NAME=value[,...]", "'" + item + "'");
                }
                out.computeIfAbsent(kv[0].substring(0, dot).trim(), k -> new java.util.TreeMap<>())
                        .put(kv[0].substring(dot + 1).trim(), parseInt("clattn.params " + kv[0], kv[1].trim()));
            }
            return Map.copyOf(out);
        }

        private static int atLeast(String name, int value, int min) {
            if (value < min) {
                throw new InvalidRequestException(name, ">= " + min, String.valueOf(value));
            }
            return value;
        }

        private static boolean flag(String text) {
            return text != null && (text.equals("1") || text.equalsIgnoreCase("true"));
        }

        private static int parseInt(String name, String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new InvalidRequestException(name, "an integer", "'" + text + "'", e);
            }
        }

        public Builder backend(BackendKind kind) {
            this.backend = kind;
            return this;
        }

        public Builder platform(String selector) {
            this.platform = selector;
            return this;
        }

        public Builder device(String selector) {
            this.device = selector;
            return this;
        }

        public Builder kernelDir(Path dir) {
            this.kernelDir = dir;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = atLeast("threads", threads, 1);
            return this;
        }

        public Builder scoreBufferMiB(int mib) {
            this.scoreBufferBytes = (long) atLeast("scoreBufferMiB", mib, 1) << 20;
            return this;
        }

        public Builder path(AttentionPath path) {
            this.path = path;
            return this;
        }

        /** Key blocks per row on the fused path; 0 chooses automatically. */
        public Builder keySplits(int splits) {
            this.keySplits = atLeast("keySplits", splits, 0);
            return this;
        }

        /** One of {@link #FUSED_KERNELS}, or null/auto for the one that suits the device. */
        public Builder fusedKernel(String kernel) {
            if (kernel == null || kernel.equals("auto")) {
                this.fusedKernel = null;
            } else if (FUSED_KERNELS.contains(kernel)) {
                this.fusedKernel = kernel;
            } else {
                throw new InvalidRequestException("fusedKernel", "auto, " + String.join(", ", FUSED_KERNELS),
                        "'" + kernel + "'");
            }
            return this;
        }

        /** The user's profile directory; naming one also turns profiles on (over {@code clattn.profiles=none}). */
        public Builder profileDir(Path dir) {
            this.profileDir = dir;
            this.useProfiles = dir != null || useProfiles;
            return this;
        }

        /** Whether tuning profiles (the user's and the jar's) apply; without them, built-in defaults. */
        public Builder useProfiles(boolean use) {
            this.useProfiles = use;
            return this;
        }

        /** Kernel parameters for this engine: kernel name → tunable → value, over profiles and defaults. */
        public Builder params(Map<String, Map<String, Integer>> params) {
            this.params = Map.copyOf(params);
            return this;
        }

        /** Built programs kept per engine (at least 1); the least recently used is released first. */
        public Builder programCache(int programs) {
            this.programCache = atLeast("programCache", programs, 1);
            return this;
        }

        /** Work-groups per launch in grid dimensions 1 and 2 (at least 1); tests lower it to exercise the split. */
        public Builder maxGridGroups(int groups) {
            this.maxGridGroups = atLeast("maxGridGroups", groups, 1);
            return this;
        }

        /**
         * Backends per engine (at least 1) that run calls at the same time, each with its own command queue,
         * buffers and built programs: more calls in flight for more device memory. KV caches live on the first.
         */
        public Builder lanes(int lanes) {
            this.lanes = atLeast("lanes", lanes, 1);
            return this;
        }

        public Builder requireOpenCl(boolean require) {
            this.requireOpenCl = require;
            return this;
        }

        public Builder profiling(boolean on) {
            this.profiling = on;
            return this;
        }

        public Config build() {
            return new Config(this);
        }
    }
}
