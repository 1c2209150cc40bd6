package dev.clattn.opencl;

/** The structural mask as kernels take it: causality (0/1 and offset) and the key-length buffer (0/1). */
record MaskArgs(int causal, int causalOffset, ClBuffer keyLengths, int hasKeyLengths) {
}
