package dev.clattn;

/** {@link Attention#merge}: partial results over disjoint key blocks, checked and combined by their LSE. */
final class Merge {
    private Merge() {
    }

    static AttentionResult of(java.util.List<AttentionResult> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new InvalidRequestException("parts", "at least one partial result", "none");
        }
        int rows = -1;
        int width = -1;
        float[][] outs = new float[parts.size()][];
        float[][] lses = new float[parts.size()][];
        for (int z = 0; z < parts.size(); z++) {
            AttentionResult p = parts.get(z);
            String name = "parts[" + z + "]";
            if (p == null || p.output() == null) {
                throw new InvalidRequestException(name, "a partial result with an output", "null");
            }
            if (p.lse() == null) {
                throw new InvalidRequestException(name, "an LSE (compute it with returnLse(true))", "no LSE");
            }
            if (rows < 0) {
                if (p.lse().length == 0 || p.output().length % p.lse().length != 0) {
                    throw new InvalidRequestException(name, "an LSE of at least one row and an output of whole rows",
                            p.lse().length + " LSE rows and " + p.output().length + " outputs");
                }
                rows = p.lse().length;
                width = p.output().length / rows;
            }
            if (p.lse().length != rows || p.output().length != (long) rows * width) {
                throw new InvalidRequestException(name, rows + " rows of " + width + " outputs like parts[0]",
                        p.lse().length + " rows and " + p.output().length + " outputs");
            }
            outs[z] = p.output();
            lses[z] = p.lse();
        }
        float[] out = new float[rows * width];
        float[] lse = new float[rows];
        for (int row = 0; row < rows; row++) {
            lse[row] = dev.clattn.cpu.CpuReference.attentionMerge(outs, lses, row, width, out, row * width);
        }
        return new AttentionResult(out, null, lse);
    }
}
