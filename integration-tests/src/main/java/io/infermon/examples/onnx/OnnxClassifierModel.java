package io.infermon.examples.onnx;

import io.infermon.examples.digits.SoftmaxRegression;
import io.infermon.examples.protobuf.ProtoWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained {@link SoftmaxRegression} as an ONNX model, written from ONNX's protobuf definition (onnx.proto: the
 * field numbers below): {@code probabilities = Softmax(((pixels - mean) * scale) W + b)}, input {@code pixels}
 * {@code float[N, features]}.
 *
 * <p>Two output layouts, as real exporters produce them:
 * <ul>
 *   <li>tensors (PyTorch, Keras, tf2onnx): {@code probabilities} {@code float[N, classes]} and {@code label}
 *       {@code int64[N]};</li>
 *   <li>scikit-learn's (skl2onnx with its default ZipMap): {@code output_label} {@code int64[N]} and
 *       {@code output_probability}, a sequence of {@code map<int64, float>}, one map per row.</li>
 * </ul>
 */
public final class OnnxClassifierModel {
    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private OnnxClassifierModel() {
    }

    public static void write(SoftmaxRegression model, Path file, boolean zipMap) throws IOException {
        int features = model.mean().length;
        int classes = model.bias().length;
        float[] weights = new float[features * classes];
        for (int j = 0; j < features; j++) {
            System.arraycopy(model.weights()[j], 0, weights, j * classes, classes);
        }
        ProtoWriter graph = new ProtoWriter()
                .message(1, node("Sub", "", new String[] {"pixels", "mean"}, "centred"))
                .message(1, node("Mul", "", new String[] {"centred", "scale"}, "standardized"))
                .message(1, node("MatMul", "", new String[] {"standardized", "weights"}, "product"))
                .message(1, node("Add", "", new String[] {"product", "bias"}, "logits"))
                .message(1, node("Softmax", "", new String[] {"logits"}, "probabilities")
                        .message(5, intAttribute("axis", 1)))
                .message(1, node("ArgMax", "", new String[] {"probabilities"}, zipMap ? "output_label" : "label")
                        .message(5, intAttribute("axis", 1)).message(5, intAttribute("keepdims", 0)));
        if (zipMap) {
            long[] ids = new long[classes];
            for (int c = 0; c < classes; c++) {
                ids[c] = c;
            }
            graph.message(1, node("ZipMap", "ai.onnx.ml", new String[] {"probabilities"}, "output_probability")
                    .message(5, new ProtoWriter().string(1, "classlabels_int64s").packedVarints(8, ids)
                            .varint(20, 7))); // AttributeProto: name, ints, type INTS
        }
        graph.string(2, "digits_softmax")
                .message(5, initializer("mean", model.mean(), features))
                .message(5, initializer("scale", model.scale(), features))
                .message(5, initializer("weights", weights, features, classes))
                .message(5, initializer("bias", model.bias(), classes))
                .message(11, valueInfo("pixels", tensorType(FLOAT, -1, features)));
        if (zipMap) {
            ProtoWriter mapOfFloats = new ProtoWriter().message(5, new ProtoWriter() // TypeProto.map_type:
                    .varint(1, INT64).message(2, tensorType(FLOAT)));              // int64 -> float
            ProtoWriter sequenceOfMaps = new ProtoWriter().message(4, new ProtoWriter().message(1, mapOfFloats));
            graph.message(12, valueInfo("output_label", tensorType(INT64, -1)))
                    .message(12, valueInfo("output_probability", sequenceOfMaps));
        } else {
            graph.message(12, valueInfo("probabilities", tensorType(FLOAT, -1, classes)))
                    .message(12, valueInfo("label", tensorType(INT64, -1)));
        }
        ProtoWriter modelProto = new ProtoWriter()
                .varint(1, 8)                                          // ir_version
                .string(2, "infermon-examples")                         // producer_name
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, 13))         // opset ai.onnx 13
                .message(8, new ProtoWriter().string(1, "ai.onnx.ml").varint(2, 1)); // opset ai.onnx.ml 1
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.write(file, modelProto.toByteArray());
    }

    private static ProtoWriter node(String op, String domain, String[] inputs, String output) {
        ProtoWriter n = new ProtoWriter();
        for (String in : inputs) {
            n.string(1, in);
        }
        n.string(2, output).string(3, output).string(4, op);
        if (!domain.isEmpty()) {
            n.string(7, domain);
        }
        return n;
    }

    private static ProtoWriter intAttribute(String name, long value) {
        return new ProtoWriter().string(1, name).varint(3, value).varint(20, 2); // name, i, type INT
    }

    private static ProtoWriter initializer(String name, float[] values, long... dims) {
        return new ProtoWriter().packedVarints(1, dims).varint(2, FLOAT).string(8, name)
                .bytes(9, ProtoWriter.littleEndian(values));
    }

    /** TypeProto with a tensor type; a dimension of -1 is left symbolic (the batch). */
    private static ProtoWriter tensorType(int elementType, long... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (long d : dims) {
            shape.message(1, d < 0 ? new ProtoWriter().string(2, "N") : new ProtoWriter().varint(1, d));
        }
        return new ProtoWriter().message(1, new ProtoWriter().varint(1, elementType).message(2, shape));
    }

    private static ProtoWriter valueInfo(String name, ProtoWriter type) {
        return new ProtoWriter().string(1, name).message(2, type);
    }
}
