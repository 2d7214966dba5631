package org.medfl.client.training;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.medfl.common.model.Network;
import org.medfl.common.model.Parameters;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * One linear unit y = w1*x1 + w2*x2 + b with mean squared error and plain SGD, as a sequential network or a graph,
 * whose steps tests can compute by hand. Flat parameters are [w1, w2, b].
 */
final class LinearUnit {

  private LinearUnit() {}

  /** A MultiLayerNetwork with parameters {@code w}, trained by SGD at learning rate {@code eta}. */
  static Network sequential(float[] w, double eta) {
    var net = new MultiLayerNetwork(base(eta).list().layer(layer()).build());
    net.init();
    Parameters.copyIn(net, w);
    return Network.of(net);
  }

  /** The same unit as a ComputationGraph. */
  static Network graph(float[] w, double eta) {
    var net = new ComputationGraph(base(eta).graphBuilder().addInputs("in").addLayer("out", layer(), "in")
        .setOutputs("out").build());
    net.init();
    Parameters.copyIn(net, w);
    return Network.of(net);
  }

  private static NeuralNetConfiguration.Builder base(double eta) {
    return new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(new Sgd(eta));
  }

  private static OutputLayer layer() {
    return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
        .activation(Activation.IDENTITY).build();
  }
}
