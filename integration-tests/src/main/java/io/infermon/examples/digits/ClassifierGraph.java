package io.infermon.examples.digits;

import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The TensorFlow graph of a trained {@link SoftmaxRegression}: {@code softmax(((x - mean) * scale) W + b)}.
 *
 * @param input  the placeholder, graph name {@code <inputName>}
 * @param output the class probabilities, graph name {@code probabilities}
 */
public record ClassifierGraph(Placeholder<TFloat32> input, Operand<TFloat32> output) {

    /** The graph with its weights in variables (as a trained model's are), so exporting saves them. */
    public static ClassifierGraph build(Graph graph, SoftmaxRegression model, String inputName) {
        return build(Ops.create(graph), model, inputName, true);
    }

    /**
     * The graph in {@code tf}'s scope; with {@code variables} false the weights are constants, as an eager
     * {@code ConcreteFunction} needs.
     */
    public static ClassifierGraph build(Ops tf, SoftmaxRegression model, String inputName, boolean variables) {
        Placeholder<TFloat32> x = tf.withName(inputName).placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, model.mean().length)));
        Operand<TFloat32> weights = variables
                ? tf.withName("weights").variable(tf.constant(model.weights())) : tf.constant(model.weights());
        Operand<TFloat32> bias = variables
                ? tf.withName("bias").variable(tf.constant(model.bias())) : tf.constant(model.bias());
        Operand<TFloat32> standardized = tf.math.mul(tf.math.sub(x, tf.constant(model.mean())),
                tf.constant(model.scale()));
        Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(standardized, weights), bias);
        return new ClassifierGraph(x, tf.withName("probabilities").nn.softmax(logits));
    }

    /** Trains nothing: builds the graph for {@code model} and exports it as a SavedModel to {@code dir}. */
    public static void exportSavedModel(SoftmaxRegression model, Path dir, String inputName, String outputName)
            throws IOException {
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            ClassifierGraph g = build(graph, model, "x");
            session.initialize();
            Signature signature = Signature.builder().key(Signature.DEFAULT_KEY)
                    .input(inputName, g.input()).output(outputName, g.output()).build();
            SavedModelBundle.exporter(dir.toString()).withFunction(SessionFunction.create(signature, session)).export();
        }
    }
}
