package dev.clattn;

/**
 * Nadaraya–Watson kernel regression with a Gaussian kernel, as the attention it is: ŷ(x) = Σ_i w_i(x)·y_i with
 * w_i(x) = exp(−‖x − x_i‖² / 2σ²) / Σ_j exp(−‖x − x_j‖² / 2σ²), the test points as queries, the training
 * points as keys and their targets as values, under {@link Score#negSqDist()} with scale 1/(2σ²). Immutable;
 * the training data are copied.
 */
public final class NadarayaWatson {
    private final float[] x;
    private final float[] y;
    private final int n;
    private final int dim;
    private final int targets;

    /**
     * @param x       training inputs [n, dim], row-major
     * @param y       training targets [n, targets]
     * @param dim     dimension of an input
     * @param targets dimension of a target
     */
    public NadarayaWatson(float[] x, float[] y, int dim, int targets) {
        if (dim < 1 || targets < 1) {
            throw new InvalidRequestException("dim", "dim and targets >= 1", dim + " and " + targets);
        }
        if (x == null || x.length == 0 || x.length % dim != 0) {
            throw new InvalidRequestException("x", "[n, " + dim + "] floats, n >= 1",
                    x == null ? "null" : x.length + " floats");
        }
        this.n = x.length / dim;
        if (y == null || y.length != (long) n * targets) {
            throw new InvalidRequestException("y", "[n, targets] = [" + n + ", " + targets + "] = " + (long) n * targets
                    + " floats", y == null ? "null" : y.length + " floats");
        }
        this.x = x.clone();
        this.y = y.clone();
        this.dim = dim;
        this.targets = targets;
    }

    /** The predictions [m, targets] at m points [m, dim], and with {@code weights} the weights [m, n]. */
    public AttentionResult predict(Attention engine, float[] at, float sigma, boolean weights) {
        return engine.compute(request(at, sigma, weights));
    }

    /** The attention request that {@link #predict} computes. */
    public AttentionRequest request(float[] at, float sigma, boolean weights) {
        if (!(sigma > 0) || !Float.isFinite(sigma)) {
            throw new InvalidRequestException("sigma", "a finite bandwidth > 0", String.valueOf(sigma));
        }
        if (at == null || at.length == 0 || at.length % dim != 0) {
            throw new InvalidRequestException("at", "[m, " + dim + "] floats, m >= 1",
                    at == null ? "null" : at.length + " floats");
        }
        float scale = (float) (1 / (2.0 * sigma * sigma));
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new InvalidRequestException("sigma", "a bandwidth whose 1/(2σ²) is a finite float > 0", sigma
                    + " (1/(2σ²) = " + scale + ")");
        }
        Shape s = new Shape(1, 1, 1, at.length / dim, n, dim, targets);
        return AttentionRequest.builder(s).q(at).k(x).v(y).score(Score.negSqDist()).scale(scale)
                .returnWeights(weights).build();
    }
}
