package dev.clattn;

/**
 * Wang et al.'s non-local block (non-local neural networks, 2018) on feature maps X [B, C, H, W] or
 * [B, C, T, H, W]: θ, φ and g are 1×1 convolutions to C' channels (weights [C', C] and a bias), φ and g
 * optionally max-pooled 2×2 over H and W (floor, as PyTorch's MaxPool2d(2)), then y_i = Σ_j f(i, j)·g_j / C(x)
 * for one of the four pairwise functions, and Z = W_z·y + X (W_z [C, C'] and a bias). Every product runs on
 * the engine: the convolutions as {@link Linear}, the pairwise sum as one attention call over all batches.
 * Immutable; the weights are copied.
 */
public final class NonLocalBlock {
    /** The pairwise functions and their normalisation C(x). */
    public enum Pairwise {
        /** f = exp(x_iᵀx_j), on X itself (pooled for j when subsampling), under softmax. */
        GAUSSIAN,
        /** f = exp(θ_iᵀφ_j) under softmax: self-attention. */
        EMBEDDED_GAUSSIAN,
        /** f = θ_iᵀφ_j, C(x) = N: {@link Score#dot()} with scale 1 under {@link Normalize#MEAN}. */
        DOT_PRODUCT,
        /** f = ReLU(w_θ·θ_i + w_φ·φ_j), C(x) = N: {@link Score#additive} under {@link Normalize#MEAN}. */
        CONCATENATION
    }

    private final int channels;
    private final int inner;
    private final Pairwise pairwise;
    private final boolean subsample;
    private final float[][] weights;
    private final float[] concat;

    /**
     * @param theta  [inner, channels] and thetaBias [inner] (likewise phi and g)
     * @param wz     [channels, inner] and wzBias [channels]
     * @param concat w = [w_θ, w_φ], 2·inner floats, for {@link Pairwise#CONCATENATION} (else null)
     */
    public NonLocalBlock(int channels, int inner, Pairwise pairwise, boolean subsample, float[] theta,
            float[] thetaBias, float[] phi, float[] phiBias, float[] g, float[] gBias, float[] wz, float[] wzBias,
            float[] concat) {
        if (channels < 1 || inner < 1) {
            throw new InvalidRequestException("channels", "channels and inner >= 1", channels + " and " + inner);
        }
        if (pairwise == null) {
            throw new InvalidRequestException("pairwise", "one of " + java.util.Arrays.toString(Pairwise.values()),
                    "null");
        }
        this.channels = channels;
        this.inner = inner;
        this.pairwise = pairwise;
        this.subsample = subsample;
        this.weights = new float[][] {
            check("theta", theta, inner * channels), check("thetaBias", thetaBias, inner),
            check("phi", phi, inner * channels), check("phiBias", phiBias, inner),
            check("g", g, inner * channels), check("gBias", gBias, inner),
            check("wz", wz, channels * inner), check("wzBias", wzBias, channels)};
        this.concat = pairwise == Pairwise.CONCATENATION ? check("concat", concat, 2 * inner) : null;
        if (pairwise != Pairwise.CONCATENATION && concat != null) {
            throw new InvalidRequestException("concat", "null for " + pairwise, "weights");
        }
    }

    private static float[] check(String name, float[] a, int n) {
        if (a == null || a.length != n) {
            throw new InvalidRequestException(name, n + " floats", a == null ? "null" : a.length + " floats");
        }
        return a.clone();
    }

    /**
     * Z [B, C, dims...] for X [B, C, dims...], dims = (H, W) or (T, H, W).
     */
    public float[] forward(Attention engine, float[] x, int batch, int... dims) {
        if (dims == null || dims.length < 2 || dims.length > 3) {
            throw new InvalidRequestException("dims", "(H, W) or (T, H, W)", java.util.Arrays.toString(dims));
        }
        int t = dims.length == 3 ? dims[0] : 1;
        int h = dims[dims.length - 2];
        int w = dims[dims.length - 1];
        if (batch < 1 || t < 1 || h < 1 || w < 1) {
            throw new InvalidRequestException("dims", "B, T, H, W >= 1", batch + ", " + java.util.Arrays.toString(dims));
        }
        if (subsample && (h < 2 || w < 2)) {
            throw new InvalidRequestException("dims", "H and W >= 2 to subsample 2x2", h + " x " + w);
        }
        int n = t * h * w;
        if (x == null || x.length != (long) batch * channels * n) {
            throw new InvalidRequestException("x", "[B, C, dims] = " + (long) batch * channels * n + " floats",
                    x == null ? "null" : x.length + " floats");
        }
        float[] rows = FeatureMaps.toRows(x, batch, channels, n);
        float[] theta = engine.computeLinear(new Linear(rows, batch * n, channels, weights[0], inner, weights[1]));
        float[] phi = engine.computeLinear(new Linear(rows, batch * n, channels, weights[2], inner, weights[3]));
        float[] g = engine.computeLinear(new Linear(rows, batch * n, channels, weights[4], inner, weights[5]));
        int nk = n;
        float[] keysIn = pairwise == Pairwise.GAUSSIAN ? rows : phi;
        int kd = pairwise == Pairwise.GAUSSIAN ? channels : inner;
        if (subsample) {
            keysIn = FeatureMaps.pool(keysIn, batch, t, h, w, kd);
            g = FeatureMaps.pool(g, batch, t, h, w, inner);
            nk = t * (h / 2) * (w / 2);
        }
        float[] queries = pairwise == Pairwise.GAUSSIAN ? rows : theta;
        Shape s = new Shape(batch, 1, 1, n, nk, kd, inner);
        AttentionRequest.Builder b = AttentionRequest.builder(s).q(queries).k(keysIn).v(g);
        switch (pairwise) {
            case GAUSSIAN, EMBEDDED_GAUSSIAN -> b.scale(1f);
            case DOT_PRODUCT -> b.scale(1f).normalize(Normalize.MEAN);
            case CONCATENATION -> b.score(Score.additive(concat, 2, inner)).normalize(Normalize.MEAN);
        }
        float[] y = engine.compute(b.build()).output();
        float[] z = engine.computeLinear(new Linear(y, batch * n, inner, weights[6], channels, weights[7]));
        float[] out = FeatureMaps.fromRows(z, batch, channels, n);
        for (int i = 0; i < out.length; i++) {
            out[i] += x[i];
        }
        return out;
    }
}
