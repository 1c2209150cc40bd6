package dev.clattn.opencl;

/**
 * How many blocks of keys a fused or paged call splits into (merged afterwards by attention_merge): the
 * configured number, or, when the work-groups of one block are too few to fill the device (decoding), enough
 * for a few work-groups per compute unit, each block still holding a few key tiles so that the merge costs
 * less than it saves.
 */
final class KeySplits {
    /** Work-groups per compute unit that count as a full device. */
    private static final int GROUPS_PER_UNIT = 4;
    private static final int MAX_SPLITS = 64;

    private KeySplits() {
    }

    /**
     * @param configured splits the configuration asks for, 0 to choose
     * @param keys the longest key range of the call
     * @param tile keys per tile, the granularity of a split
     * @param groups work-groups of the call without splits
     */
    static int of(DeviceInfo device, int maxGridGroups, int configured, long keys, int tile, long groups) {
        int maxUseful = (int) Math.min(Math.min(MAX_SPLITS, maxGridGroups), Launcher.ceilDiv(keys, tile));
        if (configured > 0) {
            return Math.min(configured, maxUseful);
        }
        long wanted = (long) device.computeUnits() * GROUPS_PER_UNIT;
        if (groups >= wanted) {
            return 1;
        }
        int byKeys = (int) Math.max(1, keys / (4L * tile));
        return (int) Math.max(1, Math.min(Math.min(maxUseful, byKeys), Launcher.ceilDiv(wanted, groups)));
    }
}
