package dev.clattn;

import java.util.Arrays;

/**
 * The score function s(q, k) that attention normalises over each row's visible keys (the bias, when given, is
 * added to s). Immutable and thread-safe.
 * <ul>
 * <li>{@link #dot()}: s = scale · q·k, scale default 1/√D (the Transformer's; the non-local block's embedded
 * Gaussian under softmax, its dot product under {@link Normalize#MEAN});</li>
 * <li>{@link #negSqDist()}: s = −scale · ‖q − k‖², scale default 1/D, computed as the difference itself (the
 * expansion ‖q‖² + ‖k‖² − 2q·k cancels when q and k share an offset): the non-local Gaussian, Nadaraya–Watson
 * kernel regression with scale 1/(2σ²), non-local means;</li>
 * <li>{@link #additive(float[], int...)}: s = act(a_q·q_i + a_k·k_j), the concatenation form ReLU(wᵀ[θ_i, φ_j])
 * of the non-local block and GAT's leaky ReLU; it has no scale.</li>
 * </ul>
 */
public final class Score {
    /** GAT's slope of the leaky ReLU. */
    public static final float DEFAULT_LEAKY_SLOPE = 0.2f;

    /** The three score functions. */
    public enum Kind { DOT, NEG_SQ_DIST, ADDITIVE }

    private static final Score DOT = new Score(Kind.DOT, null, 0, 0, 0f);
    private static final Score NEG_SQ_DIST = new Score(Kind.NEG_SQ_DIST, null, 0, 0, 0f);

    private final Kind kind;
    private final float[] weights;
    private final int heads;
    private final int dim;
    private final float slope;

    private Score(Kind kind, float[] weights, int heads, int dim, float slope) {
        this.kind = kind;
        this.weights = weights;
        this.heads = heads;
        this.dim = dim;
        this.slope = slope;
    }

    /** scale · q·k (the default). */
    public static Score dot() {
        return DOT;
    }

    /** −scale · ‖q − k‖². */
    public static Score negSqDist() {
        return NEG_SQ_DIST;
    }

    /**
     * ReLU(a_q·q_i + a_k·k_j): {@code a} is float32 [2, D] (every head alike) or [Hq, 2, D] (per query head), row 0
     * multiplying the query and row 1 the key; D and Hq are checked against the request's shape when it is built.
     * The array is copied.
     */
    public static Score additive(float[] a, int... dims) {
        if (a == null) {
            throw new InvalidRequestException("additive", "weights [2, D] or [Hq, 2, D]", "null");
        }
        if (dims == null || dims.length < 2 || dims.length > 3 || dims[dims.length - 2] != 2) {
            throw new InvalidRequestException("additive", "dims [2, D] or [Hq, 2, D]", Arrays.toString(dims));
        }
        long n = 1;
        for (int d : dims) {
            if (d < 1) {
                throw new InvalidRequestException("additive", "positive dims", Arrays.toString(dims));
            }
            n *= d;
        }
        if (n != a.length) {
            throw new InvalidRequestException("additive", Arrays.toString(dims) + " = " + n + " floats",
                    String.valueOf(a.length));
        }
        for (int x = 0; x < a.length; x++) {
            if (!Float.isFinite(a[x])) {
                throw new InvalidRequestException("additive", "finite weights", a[x] + " at [" + x + "]");
            }
        }
        return new Score(Kind.ADDITIVE, a.clone(), dims.length == 3 ? dims[0] : 0, dims[dims.length - 1], 0f);
    }

    /** This additive score with a leaky ReLU of the given slope (0: ReLU) in place of its activation. */
    public Score leakyRelu(float slope) {
        if (kind != Kind.ADDITIVE) {
            throw new InvalidRequestException("activation", "the additive score", kind.toString());
        }
        if (!Float.isFinite(slope)) {
            throw new InvalidRequestException("activation", "a finite slope", String.valueOf(slope));
        }
        return new Score(kind, weights, heads, dim, slope);
    }

    public Kind kind() {
        return kind;
    }

    /** The activation's slope for negative arguments (0: ReLU); 0 for the other kinds. */
    public float slope() {
        return slope;
    }

    /** Whether the additive weights are per query head ([Hq, 2, D]) rather than shared ([2, D]). */
    public boolean perHead() {
        return heads > 0;
    }

    /** Hq of per-head additive weights; 0 when shared or for the other kinds. */
    public int heads() {
        return heads;
    }

    /** D of the additive weights; 0 for the other kinds. */
    public int headDim() {
        return dim;
    }

    /** The additive weight a[h][row][d] (row 0: query, 1: key); h is ignored for shared weights. */
    public float weight(int h, int row, int d) {
        return weights[((heads > 0 ? h : 0) * 2 + row) * dim + d];
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DOT -> "dot";
            case NEG_SQ_DIST -> "neg-sq-dist";
            case ADDITIVE -> "additive(" + (heads > 0 ? "per head" : "shared") + ", "
                    + (slope == 0 ? "relu" : "leaky-relu=" + slope) + ")";
        };
    }
}
