package dev.clattn;

/**
 * {@link Shape#builder()}: the shape by name, so that grouped-query and cross-attention shapes cannot swap a
 * batch for a head count. Unset: batch 1, kvHeads = queryHeads, keyLen = queryLen, valueDim = headDim;
 * queryHeads, queryLen and headDim must be set.
 */
public final class ShapeBuilder {
    private int batch = 1;
    private int queryHeads;
    private int kvHeads;
    private int queryLen;
    private int keyLen;
    private int headDim;
    private int valueDim;

    ShapeBuilder() {
    }

    public ShapeBuilder batch(int b) {
        this.batch = b;
        return this;
    }

    public ShapeBuilder queryHeads(int hq) {
        this.queryHeads = hq;
        return this;
    }

    public ShapeBuilder kvHeads(int hk) {
        this.kvHeads = hk;
        return this;
    }

    public ShapeBuilder queryLen(int nq) {
        this.queryLen = nq;
        return this;
    }

    public ShapeBuilder keyLen(int nk) {
        this.keyLen = nk;
        return this;
    }

    public ShapeBuilder headDim(int d) {
        this.headDim = d;
        return this;
    }

    public ShapeBuilder valueDim(int dv) {
        this.valueDim = dv;
        return this;
    }

    public Shape build() {
        for (String name : new String[] {"queryHeads", "queryLen", "headDim"}) {
            int v = switch (name) {
                case "queryHeads" -> queryHeads;
                case "queryLen" -> queryLen;
                default -> headDim;
            };
            if (v == 0) {
                throw new InvalidRequestException(name, "a value (Shape.builder()." + name + "(...))", "none");
            }
        }
        return new Shape(batch, queryHeads, kvHeads == 0 ? queryHeads : kvHeads, queryLen,
                keyLen == 0 ? queryLen : keyLen, headDim, valueDim == 0 ? headDim : valueDim);
    }
}
