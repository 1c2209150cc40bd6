package dev.clattn.opencl;

import java.lang.ref.WeakReference;
import java.nio.FloatBuffer;
import org.jocl.Pointer;

/**
 * JOCL pointers to the caller's arrays or direct buffers, made again only when the target or the offset is new
 * to the last {@value #SLOTS} seen: a server that passes the same arrays call after call (or rotates a few
 * output buffers) makes no pointer per call. Both are held weakly (the pointer keeps its target alive, so while
 * the pointer is here the identity check is sound): the engine never keeps a caller's array from being
 * collected, and a collection costs one new pointer on the next call. One per use (Q, K, output ...), used by
 * one call at a time, as the backend runs its calls.
 */
final class ArrayPointer {
    static final int SLOTS = 4;

    @SuppressWarnings("unchecked")
    private final WeakReference<Pointer>[] pointers = new WeakReference[SLOTS];
    @SuppressWarnings("unchecked")
    private final WeakReference<Object>[] targets = new WeakReference[SLOTS];
    private final long[] offsets = new long[SLOTS];
    private int next;

    /** A pointer to element {@code elementOffset} of the array. */
    Pointer to(float[] a, long elementOffset) {
        Pointer p = find(a, elementOffset);
        return p != null ? p : remember(elementOffset == 0 ? Pointer.to(a)
                : Pointer.to(a).withByteOffset(4 * elementOffset), a, elementOffset);
    }

    /** A pointer to a direct buffer at its position (a new one when the position moved). */
    Pointer to(FloatBuffer b) {
        Pointer p = find(b, b.position());
        return p != null ? p : remember(Pointer.to(b), b, b.position());
    }

    private Pointer find(Object target, long offset) {
        for (int i = 0; i < SLOTS; i++) {
            Pointer p = pointers[i] == null ? null : pointers[i].get();
            if (p != null && targets[i].get() == target && offsets[i] == offset) {
                return p;
            }
        }
        return null;
    }

    private Pointer remember(Pointer p, Object target, long offset) {
        int i = next;
        next = (next + 1) % SLOTS;
        pointers[i] = new WeakReference<>(p);
        targets[i] = new WeakReference<>(target);
        offsets[i] = offset;
        return p;
    }
}
