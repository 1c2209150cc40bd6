package dev.clattn.cli;

import dev.clattn.Shape;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The two ONNX models of attention that {@link OrtPeer} runs, written as protobuf bytes by hand: the onnx
 * protobuf classes would be one more dependency for six message types. Inputs q [B,Hq,Nq,D], k [B,Hk,Nk,D],
 * v [B,Hk,Nk,Dv], output o [B,Hq,Nq,Dv], all float32 with fixed shapes (one model per bench shape). Causality
 * is top-left, as the bench's requests: query i sees keys 0..i.
 */
final class OnnxModel {
    /** Opset 23 is the first with the standard Attention op; IR version 11 is the one that came with it. */
    static final int OPSET = 23;
    private static final int IR_VERSION = 11;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();

    private OnnxModel() {
    }

    /**
     * O = Softmax(scale · Q Kᵀ + mask) V as MatMul → Mul → [Add] → Softmax → MatMul, the graph an exporter
     * writes for unfused attention. The causal mask (−∞ above the diagonal) is built in the graph by Trilu from
     * ConstantOfShape rather than stored: a stored N×N mask would make the model N² floats long. Grouped heads
     * (Hq = G·Hk) run as 5-D [B,Hk,G,Nq,·] MatMuls that broadcast K and V over the G query heads of a group.
     */
    static byte[] matmulSoftmax(Shape s, boolean causal, float scale) {
        OnnxModel m = new OnnxModel();
        int g = s.group();
        String q = "q";
        String k = "k";
        String v = "v";
        long[] perm = {0, 1, 3, 2};
        if (g > 1) {
            q = m.reshape("q", s.batch(), s.kvHeads(), g, s.queryLen(), s.headDim());
            k = m.reshape("k", s.batch(), s.kvHeads(), 1, s.keyLen(), s.headDim());
            v = m.reshape("v", s.batch(), s.kvHeads(), 1, s.keyLen(), s.valueDim());
            perm = new long[] {0, 1, 2, 4, 3};
        }
        m.node("Transpose", List.of(k), "kt", ints("perm", perm));
        m.node("MatMul", List.of(q, "kt"), "scores", null);
        m.floatTensor("scale", new long[0], scale);
        m.node("Mul", List.of("scores", "scale"), "scaled", null);
        String logits = "scaled";
        if (causal) {
            m.int64Tensor("mask_shape", new long[] {2}, s.queryLen(), s.keyLen());
            m.int64Tensor("one", new long[0], 1);
            m.node("ConstantOfShape", List.of("mask_shape"), "minus_inf", tensorAttr("value",
                    tensor("", FLOAT, new long[] {1}, floats(Float.NEGATIVE_INFINITY))));
            m.node("Trilu", List.of("minus_inf", "one"), "mask", intAttr("upper", 1));
            m.node("Add", List.of("scaled", "mask"), "masked", null);
            logits = "masked";
        }
        m.node("Softmax", List.of(logits), "weights", intAttr("axis", -1));
        m.node("MatMul", List.of("weights", v), g > 1 ? "o5" : "o", null);
        if (g > 1) {
            m.int64Tensor("o_shape", new long[] {4}, s.batch(), s.queryHeads(), s.queryLen(), s.valueDim());
            m.node("Reshape", List.of("o5", "o_shape"), "o", null);
        }
        return m.model(s, "attention_matmul_softmax");
    }

    /**
     * O from the standard Attention op (opset 23) on 4-D [B,H,S,D] inputs: the op maps query head h to key
     * head h / G itself, and is_causal=1 is the top-left causal mask.
     */
    static byte[] attentionOp(Shape s, boolean causal, float scale) {
        OnnxModel m = new OnnxModel();
        Proto node = new Proto().string(1, "q").string(1, "k").string(1, "v").string(2, "o").string(4, "Attention")
                .bytes(5, new Proto().string(1, "scale").fixed32(2, Float.floatToIntBits(scale)).varint(20, 1).done());
        if (causal) {
            node.bytes(5, intAttr("is_causal", 1));
        }
        m.nodes.add(node.done());
        return m.model(s, "attention_op");
    }

    private String reshape(String input, long... dims) {
        String shape = input + "_shape5";
        int64Tensor(shape, new long[] {dims.length}, dims);
        node("Reshape", List.of(input, shape), input + "5", null);
        return input + "5";
    }

    private void node(String op, List<String> inputs, String output, byte[] attribute) {
        Proto p = new Proto();
        inputs.forEach(i -> p.string(1, i));
        p.string(2, output).string(4, op);
        if (attribute != null) {
            p.bytes(5, attribute);
        }
        nodes.add(p.done());
    }

    private void floatTensor(String name, long[] dims, float... data) {
        initializers.add(tensor(name, FLOAT, dims, floats(data)));
    }

    private void int64Tensor(String name, long[] dims, long... data) {
        ByteBuffer raw = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(data);
        initializers.add(tensor(name, INT64, dims, raw.array()));
    }

    private byte[] model(Shape s, String name) {
        Proto graph = new Proto();
        nodes.forEach(n -> graph.bytes(1, n));
        graph.string(2, name);
        initializers.forEach(t -> graph.bytes(5, t));
        graph.bytes(11, valueInfo("q", s.batch(), s.queryHeads(), s.queryLen(), s.headDim()));
        graph.bytes(11, valueInfo("k", s.batch(), s.kvHeads(), s.keyLen(), s.headDim()));
        graph.bytes(11, valueInfo("v", s.batch(), s.kvHeads(), s.keyLen(), s.valueDim()));
        graph.bytes(12, valueInfo("o", s.batch(), s.queryHeads(), s.queryLen(), s.valueDim()));
        byte[] opset = new Proto().string(1, "").varint(2, OPSET).done();
        return new Proto().varint(1, IR_VERSION).string(2, "clattn").bytes(7, graph.done()).bytes(8, opset).done();
    }

    // Field numbers below are those of onnx.proto: AttributeProto (name 1, f 2, i 3, t 5, ints 8, type 20),
    // TensorProto (dims 1, data_type 2, name 8, raw_data 9), ValueInfoProto, TypeProto and TensorShapeProto.

    private static byte[] intAttr(String name, long value) {
        return new Proto().string(1, name).varint(3, value).varint(20, 2).done();
    }

    private static byte[] ints(String name, long... values) {
        Proto p = new Proto().string(1, name);
        for (long v : values) {
            p.varint(8, v);
        }
        return p.varint(20, 7).done();
    }

    private static byte[] tensorAttr(String name, byte[] tensor) {
        return new Proto().string(1, name).bytes(5, tensor).varint(20, 4).done();
    }

    private static byte[] tensor(String name, int type, long[] dims, byte[] raw) {
        Proto p = new Proto();
        for (long d : dims) {
            p.varint(1, d);
        }
        return p.varint(2, type).string(8, name).bytes(9, raw).done();
    }

    private static byte[] floats(float... data) {
        ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        return raw.array();
    }

    private static byte[] valueInfo(String name, long... dims) {
        Proto shape = new Proto();
        for (long d : dims) {
            shape.bytes(1, new Proto().varint(1, d).done());
        }
        byte[] tensorType = new Proto().varint(1, FLOAT).bytes(2, shape.done()).done();
        return new Proto().string(1, name).bytes(2, new Proto().bytes(1, tensorType).done()).done();
    }

    /** The protobuf wire format's three field kinds an ONNX model needs: varint, 32-bit and length-delimited. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        Proto varint(int field, long v) {
            raw((long) field << 3);
            raw(v);
            return this;
        }

        Proto fixed32(int field, int bits) {
            raw(((long) field << 3) | 5);
            for (int b = 0; b < 4; b++) {
                out.write(bits >>> (8 * b));
            }
            return this;
        }

        Proto bytes(int field, byte[] b) {
            raw(((long) field << 3) | 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        byte[] done() {
            return out.toByteArray();
        }
    }
}
