package org.medfl.client.training;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.medfl.common.model.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * FedProx's proximal term (Li, Sahu, Zaheer, Sanjabi, Talwalkar and Smith, "Federated Optimization in
 * Heterogeneous Networks", MLSys 2020, arXiv 1812.06127): a site minimises its data loss plus
 * {@code mu/2 * ||w - w_global||^2}, which keeps its local model near the round's global model when sites' data
 * differ. The term's gradient is {@code mu * (w - w_global)}.
 *
 * <p>DL4J M2.1 calls {@link #onGradientCalculation} after it has computed the data loss's gradient of a minibatch
 * into the network's flat gradient array and before the updater (division by the minibatch size, L2, then
 * SGD/Adam/momentum) turns that array into a step, so adding the term there is exactly training on the FedProx
 * objective with the job's optimiser. {@code FedProxTest} checks one SGD step against a hand computation.
 * Parameters that no optimiser trains are left alone: those of frozen layers, and batch norm's running mean and
 * variance, which DL4J moves through the same gradient array but are statistics, not part of the objective.
 */
public final class ProximalTerm extends BaseTrainingListener {

  private final double mu;
  /** mu where the optimiser trains the parameter, 0 elsewhere. */
  private final INDArray scaledMask;
  private final INDArray anchor;
  private final INDArray scratch;
  private boolean anchored;

  private ProximalTerm(double mu, INDArray scaledMask) {
    this.mu = mu;
    this.scaledMask = scaledMask;
    this.anchor = Nd4j.zeros(DataType.FLOAT, scaledMask.length());
    this.scratch = Nd4j.zeros(DataType.FLOAT, scaledMask.length());
  }

  /**
   * Adds the term with coefficient {@code mu} to {@code net}'s training; call {@link #anchorAt} before each round.
   *
   * @param mu FedProx's mu, 0 or more; 0 trains exactly as without the term
   */
  public static ProximalTerm attach(Network net, double mu) {
    if (!(mu >= 0) || Double.isInfinite(mu)) {
      throw new IllegalArgumentException("mu must be 0 or a positive number, got " + mu);
    }
    var term = new ProximalTerm(mu, trainedMask(net).muli(mu));
    net.addListeners(term);
    return term;
  }

  /** Sets {@code w_global}, the round's global parameters; the array is copied. */
  public void anchorAt(float[] global) {
    if (global.length != anchor.length()) {
      throw new IllegalArgumentException("model has " + anchor.length() + " parameters, got " + global.length);
    }
    anchor.assign(Nd4j.createFromArray(global));
    anchored = true;
  }

  /** FedProx's mu. */
  public double mu() {
    return mu;
  }

  /** Turns the data loss's gradient g into {@code g + mu * (w - w_global)}, in place. */
  @Override
  public void onGradientCalculation(Model model) {
    if (!anchored) {
      throw new IllegalStateException("ProximalTerm.anchorAt was not called before training");
    }
    INDArray gradient = model.gradient().gradient();
    scratch.assign(model.params()).subi(anchor).muli(scaledMask);
    // At this point DL4J's gradient is summed over the minibatch; the updater divides it by the minibatch size
    // afterwards (miniBatch, on by default). Scale the term so that it survives that division as mu*(w - w_global).
    if (model.conf().isMiniBatch() && model.batchSize() > 1) {
      scratch.muli(model.batchSize());
    }
    gradient.addi(scratch);
  }

  /** 1 for each entry of the flat parameter vector that an updater trains, 0 for the rest. */
  private static INDArray trainedMask(Network net) {
    INDArray flat = net.params();
    float[] mask = new float[Math.toIntExact(flat.length())];
    for (Layer layer : net.layers()) {
      if (layer instanceof org.deeplearning4j.nn.layers.FrozenLayer
          || layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
        continue;
      }
      var conf = layer.conf().getLayer();
      for (var entry : layer.paramTable().entrySet()) {
        IUpdater updater = conf.getUpdaterByParam(entry.getKey());
        if (updater == null || updater instanceof NoOp) {
          continue; // e.g. batch norm's running mean and variance
        }
        INDArray view = entry.getValue();
        // Each parameter is a contiguous slice of the flat vector; its offset in the shared buffer is its index.
        int from = Math.toIntExact(view.offset() - flat.offset());
        java.util.Arrays.fill(mask, from, from + Math.toIntExact(view.length()), 1f);
      }
    }
    return Nd4j.createFromArray(mask);
  }
}
