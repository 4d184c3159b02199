package io.infermon.examples.digits;

import java.util.Arrays;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A breast-cancer classifier served from a graph that also takes a string tensor: each request carries a text tag
 * per row (the shape of a text feature), fed and fetched back next to the class probabilities. Some requests are
 * empty batches of zero rows. Prints, per request, its row count, the sum of its probabilities and its tags as the
 * model returned them (and the first row's first probability), so runs with and without an agent can be compared line by line.
 *
 * <pre>
 * TaggedRequestsApp [--requests N] [--batch N] [--empty-every K]
 * </pre>
 */
public final class TaggedRequestsApp {
    private TaggedRequestsApp() {
    }

    public static void main(String[] args) throws Exception {
        var opts = DigitsApp.options(args);
        int requests = Integer.parseInt(opts.getOrDefault("requests", "20"));
        int batch = Integer.parseInt(opts.getOrDefault("batch", "8"));
        int emptyEvery = Integer.parseInt(opts.getOrDefault("empty-every", "4"));
        Dataset data = Dataset.breastCancer();
        SoftmaxRegression model = SoftmaxRegression.train(data, 100, 0.5);
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            ClassifierGraph g = ClassifierGraph.build(tf, model, "features", true);
            Placeholder<TString> tags = tf.withName("tags").placeholder(TString.class,
                    Placeholder.shape(Shape.of(-1)));
            Operand<TString> echoed = tf.withName("echoed_tags").identity(tags);
            session.initialize();
            for (int r = 0; r < requests; r++) {
                int rows = emptyEvery > 0 && r % emptyEvery == emptyEvery - 1 ? 0 : batch;
                int start = (r * batch) % (data.rows() - batch);
                float[][] x = Arrays.copyOfRange(data.features(), start, start + rows);
                String[] text = new String[rows];
                for (int i = 0; i < rows; i++) {
                    text[i] = "request-" + r + "/row-" + i;
                }
                try (TFloat32 input = rows == 0 ? TFloat32.tensorOf(Shape.of(0, data.features()[0].length))
                                : TFloat32.tensorOf(StdArrays.ndCopyOf(x));
                     TString tagTensor = TString.tensorOf(rows == 0 ? NdArrays.ofObjects(String.class, Shape.of(0))
                             : NdArrays.vectorOfObjects(text));
                     Result result = session.runner().feed("features", input).feed("tags", tagTensor)
                             .fetch("probabilities").fetch("echoed_tags").run()) {
                    TFloat32 p = (TFloat32) result.get(0);
                    TString back = (TString) result.get(1);
                    double sum = 0;
                    double first = p.shape().get(0) == 0 ? Double.NaN : p.getFloat(0, 0);
                    for (int i = 0; i < p.shape().get(0); i++) {
                        for (int c = 0; c < p.shape().get(1); c++) {
                            sum += p.getFloat(i, c);
                        }
                    }
                    StringBuilder echoedText = new StringBuilder();
                    for (int i = 0; i < back.shape().get(0); i++) {
                        echoedText.append(i == 0 ? "" : " ").append(back.getObject(i));
                    }
                    System.out.printf("request %d rows=%d first_probability=%.6f probability_sum=%.6f tags=[%s]%n", r,
                            p.shape().get(0), first, sum, echoedText);
                }
            }
        }
    }
}
