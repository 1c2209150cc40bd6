package dev.clattn;

import java.util.Arrays;

/**
 * A graph over queries and keys in CSR form (graph attention; sparse attention patterns): query row i, in every
 * batch and head, sees only the keys {@code indices[indptr[i] .. indptr[i+1])}, and among those only the ones the
 * request's other masks leave visible. The engine gathers each row's neighbours: O(E·D) time and O(E) memory,
 * with no Nq × Nk buffer. Checked against the request's shape when the request is built.
 */
public final class Edges {
    private final int[] indptr;
    private final int[] indices;

    private Edges(int[] indptr, int[] indices) {
        this.indptr = indptr;
        this.indices = indices;
    }

    /**
     * @param indptr  Nq + 1 offsets, from 0, never decreasing; the last is the number of edges E
     * @param indices E key indices in [0, Nk), no key twice within a row
     */
    public static Edges of(int[] indptr, int[] indices) {
        if (indptr == null) {
            throw new InvalidRequestException("indptr", "Nq + 1 row offsets", "null");
        }
        if (indices == null) {
            throw new InvalidRequestException("indices", "E key indices", "null");
        }
        return new Edges(indptr.clone(), indices.clone());
    }

    /** The number of edges E. */
    public int count() {
        return indices.length;
    }

    /** The first edge of row i; the row's edges are [start(i), start(i + 1)). */
    public int start(int i) {
        return indptr[i];
    }

    /** The key of edge e. */
    public int key(int e) {
        return indices[e];
    }

    /** A copy of the row offsets. */
    public int[] indptr() {
        return indptr.clone();
    }

    /** A copy of the key indices. */
    public int[] indices() {
        return indices.clone();
    }

    /** The arrays themselves, for the backends to upload or read without a copy. */
    int[] indptrArray() {
        return indptr;
    }

    int[] indicesArray() {
        return indices;
    }

    /** Checks the graph against Nq and Nk: the offsets' length, start, order and end, each index's range and row. */
    void check(Shape s) {
        int nq = s.queryLen();
        int nk = s.keyLen();
        if (indptr.length != nq + 1) {
            throw new InvalidRequestException("indptr", "Nq + 1 = " + (nq + 1) + " entries", indptr.length
                    + " entries");
        }
        if (indptr[0] != 0) {
            throw new InvalidRequestException("indptr", "0 as its first entry", String.valueOf(indptr[0]));
        }
        for (int i = 0; i < nq; i++) {
            if (indptr[i + 1] < indptr[i]) {
                throw new InvalidRequestException("indptr", "entries that never decrease", indptr[i + 1] + " after "
                        + indptr[i] + " at [" + (i + 1) + "]");
            }
        }
        if (indptr[nq] != indices.length) {
            throw new InvalidRequestException("indices", "indptr[Nq] = " + indptr[nq] + " entries", indices.length
                    + " entries");
        }
        int[] lastRow = new int[nk];
        Arrays.fill(lastRow, -1);
        for (int i = 0; i < nq; i++) {
            for (int e = indptr[i]; e < indptr[i + 1]; e++) {
                int j = indices[e];
                if (j < 0 || j >= nk) {
                    throw new InvalidRequestException("indices", "keys in [0, " + nk + ") (Nk)", j + " at [" + e
                            + "]");
                }
                if (lastRow[j] == i) {
                    throw new InvalidRequestException("indices", "no key twice within a row", "key " + j
                            + " twice in row " + i + " (at [" + e + "])");
                }
                lastRow[j] = i;
            }
        }
    }
}
