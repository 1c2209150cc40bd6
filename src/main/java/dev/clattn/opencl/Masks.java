package dev.clattn.opencl;

/** Every mask of one request, on the device. */
record Masks(MaskArgs structural, Operand mask, Operand bias) {
    /** A boolean mask or a bias is present, so a zero weight may sit anywhere in a tile. */
    boolean any() {
        return mask.present() != 0 || bias.present() != 0;
    }
}
