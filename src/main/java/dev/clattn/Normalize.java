package dev.clattn;

/** How a row's scores become its weights over the row's visible keys. */
public enum Normalize {
    /** P = exp(s − LSE): the weights sum to 1 (the default). */
    SOFTMAX,
    /**
     * P_ij = s_ij / n_i over the n_i visible keys of row i (the non-local block's 1/C(x) = N for its dot-product
     * and concatenation forms); a row with no visible key is 0, and there is no log-sum-exp. A key whose biased
     * score is −∞ counts as hidden, as under softmax.
     */
    MEAN
}
