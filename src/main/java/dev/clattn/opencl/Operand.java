package dev.clattn.opencl;

/** A broadcast boolean mask or bias as kernels take it: buffer, long4 strides, presence flag (0/1). */
record Operand(ClBuffer buffer, long[] strides, int present) {
}
