package dev.clattn;

/**
 * Attention whose queries and keys are the patch × patch patches of one image and whose values are its pixels
 * (non-local means, {@link NlMeans}): pixel p attends to the pixels q of the search × search window centred on
 * it with score −scale · ‖patch(p) − patch(q)‖², summed over the patch and the channels. Backends compute the
 * pair's sum with box filters over each offset of the window, O(1) a pair: the same sum of the same terms.
 *
 * @param extended the image, planar, [channels][height + search − 1 + patch − 1][width + …], extended on each side
 *                 by search/2 + patch/2 (the caller chooses the border rule); the output is [height][width][channels]
 */
public record PatchAttention(float[] extended, int height, int width, int channels, int patch, int search,
        float scale) {
    public PatchAttention {
        if (height < 1 || width < 1 || channels < 1) {
            throw new InvalidRequestException("image", "height, width and channels >= 1", height + " x " + width
                    + " x " + channels);
        }
        if (patch < 1 || patch % 2 == 0) {
            throw new InvalidRequestException("patch", "an odd size >= 1", String.valueOf(patch));
        }
        if (search < 1 || search % 2 == 0) {
            throw new InvalidRequestException("search", "an odd size >= 1", String.valueOf(search));
        }
        if (!(scale >= 0) || !Float.isFinite(scale)) {
            throw new InvalidRequestException("scale", "a finite scale >= 0", String.valueOf(scale));
        }
        long expected = (long) extendedHeight(height, patch, search) * extendedWidth(width, patch, search) * channels;
        if (extended == null || extended.length != expected) {
            throw new InvalidRequestException("extended", expected + " values ([C][H + search - 1 + patch - 1][W + ..])",
                    extended == null ? "null" : extended.length + " values");
        }
    }

    static int extendedHeight(int height, int patch, int search) {
        return height + search - 1 + patch - 1;
    }

    static int extendedWidth(int width, int patch, int search) {
        return width + search - 1 + patch - 1;
    }

    /** Rows of the extended image. */
    public int extendedHeight() {
        return extendedHeight(height, patch, search);
    }

    /** Columns of the extended image. */
    public int extendedWidth() {
        return extendedWidth(width, patch, search);
    }

    /** The output's length: height · width · channels. */
    public int outputLength() {
        return height * width * channels;
    }
}
