package dev.clattn;

import java.lang.ref.WeakReference;
import java.nio.FloatBuffer;

/**
 * The {@link FloatData} of the outputs a thread passed last to {@code computeInto}, made again only when the
 * target (or a buffer's position or limit) is new to the last {@value #SLOTS}: a server writing into the same
 * array or buffer call after call, or rotating a few, wraps each once. Held weakly, so that the engine keeps
 * no caller's output alive (a collection costs one new wrapper).
 */
final class RecentOutput {
    private static final int SLOTS = 4;
    private static final ThreadLocal<RecentOutput> OF_THREAD = ThreadLocal.withInitial(RecentOutput::new);

    @SuppressWarnings("unchecked")
    private final WeakReference<FloatData>[] data = new WeakReference[SLOTS];
    @SuppressWarnings("unchecked")
    private final WeakReference<Object>[] targets = new WeakReference[SLOTS];
    private final int[] positions = new int[SLOTS];
    private final int[] limits = new int[SLOTS];
    private int next;

    private RecentOutput() {
    }

    static FloatData of(float[] out) {
        RecentOutput r = OF_THREAD.get();
        FloatData d = r.find(out, 0, out.length);
        return d != null ? d : r.remember(FloatData.of(out), out, 0, out.length);
    }

    static FloatData of(FloatBuffer out) {
        RecentOutput r = OF_THREAD.get();
        FloatData d = r.find(out, out.position(), out.limit());
        return d != null ? d : r.remember(FloatData.of(out), out, out.position(), out.limit());
    }

    private FloatData find(Object target, int position, int limit) {
        for (int i = 0; i < SLOTS; i++) {
            FloatData d = data[i] == null ? null : data[i].get();
            if (d != null && targets[i].get() == target && positions[i] == position && limits[i] == limit) {
                return d;
            }
        }
        return null;
    }

    private FloatData remember(FloatData d, Object target, int position, int limit) {
        int i = next;
        next = (next + 1) % SLOTS;
        data[i] = new WeakReference<>(d);
        targets[i] = new WeakReference<>(target);
        positions[i] = position;
        limits[i] = limit;
        return d;
    }
}
