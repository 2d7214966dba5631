package org.medfl.client.training;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.medfl.common.model.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

/**
 * Puts per-class weights into the cross-entropy loss of an already built network. Works on the built network
 * rather than in the model zoo because the weights come from one site's labels, while the architecture is the
 * job's. DL4J's output layer reads its loss from the layer configuration at every step, so replacing it there
 * takes effect from the next step on.
 */
public final class ClassWeightedLoss {

  private ClassWeightedLoss() {}

  /**
   * Replaces the output layer's cross-entropy loss by the same loss with {@code weights}: each example's loss is
   * multiplied by the weight of its true class.
   *
   * @param weights one per output class, positive
   * @throws IllegalArgumentException if the output layer is not a cross-entropy output layer of that many classes
   */
  public static void apply(Network network, double[] weights) {
    org.deeplearning4j.nn.api.Layer output = network.dl4j() instanceof MultiLayerNetwork mln ? mln.getOutputLayer()
        : ((ComputationGraph) network.dl4j()).getOutputLayer(0);
    apply(output, weights);
  }

  /** Same, for a multi-layer network. */
  public static void apply(MultiLayerNetwork net, double[] weights) {
    apply(net.getOutputLayer(), weights);
  }

  private static void apply(org.deeplearning4j.nn.api.Layer outputLayer, double[] weights) {
    if (!(outputLayer.conf().getLayer() instanceof BaseOutputLayer out)) {
      throw new IllegalArgumentException("class weights need an output layer with a loss, got "
          + outputLayer.conf().getLayer().getClass().getSimpleName());
    }
    if (out.getNOut() != weights.length) {
      throw new IllegalArgumentException(weights.length + " class weights for an output layer of "
          + out.getNOut() + " classes");
    }
    float[] values = new float[weights.length];
    for (int c = 0; c < weights.length; c++) {
      values[c] = (float) weights[c];
    }
    INDArray row = Nd4j.create(values, new long[] {1, weights.length}, 'c').castTo(DataType.FLOAT);
    ILossFunction loss = out.getLossFn();
    // Negative log-likelihood extends MCXENT, so it is checked first to keep the job's own choice of loss.
    if (loss instanceof LossNegativeLogLikelihood) {
      out.setLossFn(new LossNegativeLogLikelihood(row));
    } else if (loss instanceof LossMCXENT) {
      out.setLossFn(new LossMCXENT(row));
    } else {
      throw new IllegalArgumentException("class weights need a cross-entropy loss, the output layer has "
          + loss.getClass().getSimpleName());
    }
  }
}
