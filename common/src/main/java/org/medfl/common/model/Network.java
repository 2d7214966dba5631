package org.medfl.common.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A job's DL4J network, sequential ({@link MultiLayerNetwork}) or graph ({@link ComputationGraph}), behind the few
 * operations that training and evaluation need. DL4J's own common interfaces ({@link Model},
 * {@code NeuralNetwork}) share parameters and listeners but not {@code fit(features, labels)} or {@code output}, so
 * this class switches on the two concrete types once, instead of every caller doing it.
 */
public final class Network {

  private final Model model;

  private Network(Model model) {
    this.model = model;
  }

  /**
   * Wraps an initialised network.
   *
   * @throws IllegalArgumentException if {@code model} is neither a MultiLayerNetwork nor a ComputationGraph
   */
  public static Network of(Model model) {
    Objects.requireNonNull(model, "model");
    if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
      throw new IllegalArgumentException("not a MultiLayerNetwork or ComputationGraph: " + model.getClass());
    }
    return new Network(model);
  }

  /** The DL4J network itself, for serialisation and DL4J-specific calls. */
  public Model dl4j() {
    return model;
  }

  /** Whether this is a {@link ComputationGraph} (true) or a {@link MultiLayerNetwork} (false). */
  public boolean isGraph() {
    return model instanceof ComputationGraph;
  }

  /** Number of parameters, the length of {@link Parameters#copyOut(Network, float[])}'s vector. */
  public long numParams() {
    return model.numParams();
  }

  /** The flat parameter vector; a live view that callers must not keep. */
  public INDArray params() {
    return model.params();
  }

  /** The layers in the order of the flat parameter vector. */
  public List<Layer> layers() {
    Layer[] layers = model instanceof ComputationGraph g ? g.getLayers() : ((MultiLayerNetwork) model).getLayers();
    return Arrays.asList(layers);
  }

  /** One optimiser step on one minibatch: NCHW {@code features}, one-hot {@code labels}. */
  public void fit(INDArray features, INDArray labels) {
    if (model instanceof ComputationGraph g) {
      g.fit(new INDArray[] {features}, new INDArray[] {labels});
    } else {
      ((MultiLayerNetwork) model).fit(features, labels);
    }
  }

  /**
   * A second network of the same configuration whose parameters are this network's own memory, so a step taken on
   * this network is seen by the replica at once. It has its own activations and gradient, so it can compute part of
   * a minibatch's gradient on another thread while this network computes the rest; it must not be fitted itself.
   */
  public Network parameterSharingReplica() {
    if (model instanceof ComputationGraph g) {
      var replica = new ComputationGraph(g.getConfiguration().clone());
      replica.init(g.params(), false);
      return new Network(replica);
    }
    MultiLayerNetwork net = (MultiLayerNetwork) model;
    var replica = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
    replica.init(net.params(), false);
    return new Network(replica);
  }

  /**
   * Forward and backward pass on one minibatch in training mode, without an optimiser step: afterwards
   * {@link #gradient} holds the loss's gradient summed (not averaged) over the minibatch, as DL4J computes it before
   * its updater divides by the minibatch size, and {@link #score} the minibatch's mean loss.
   */
  public void computeGradient(INDArray features, INDArray labels) {
    if (model instanceof ComputationGraph g) {
      g.setInputs(features);
      g.setLabels(labels);
      g.computeGradientAndScore();
      g.clearLayersStates();
    } else {
      var net = (MultiLayerNetwork) model;
      net.setInput(features);
      net.setLabels(labels);
      net.computeGradientAndScore();
      net.clearLayersStates();
    }
  }

  /** The flat gradient of the last {@link #computeGradient} or {@link #fit}, in parameter order; a live view. */
  public INDArray gradient() {
    return model.gradient().gradient();
  }

  /** Whether a layer is batch normalisation, whose statistics depend on which images share a forward pass. */
  public boolean hasBatchNormalization() {
    return layers().stream().anyMatch(layer -> unwrapped(layer.conf().getLayer())
        instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization);
  }

  /** The layer a frozen wrapper (transfer learning) holds, or the layer itself. */
  private static org.deeplearning4j.nn.conf.layers.Layer unwrapped(org.deeplearning4j.nn.conf.layers.Layer layer) {
    if (layer instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer frozen) {
      return unwrapped(frozen.getLayer());
    }
    if (layer instanceof org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer wrapper) {
      return unwrapped(wrapper.getUnderlying());
    }
    return layer;
  }

  /** Class probabilities for {@code features} in inference mode (no dropout, batch-norm running statistics). */
  public INDArray output(INDArray features) {
    if (model instanceof ComputationGraph g) {
      return g.outputSingle(false, features);
    }
    return ((MultiLayerNetwork) model).output(features, false);
  }

  /** Loss of the last minibatch that {@link #fit} saw. */
  public double score() {
    return model.score();
  }

  /** Adds listeners that DL4J calls during {@link #fit}. */
  public void addListeners(TrainingListener... listeners) {
    model.addListeners(listeners);
  }

  /**
   * Zeroes the optimiser's state (Adam moments, momentum) and the iteration and epoch counters, as a freshly built
   * optimiser would have them.
   */
  public void resetOptimizer() {
    INDArray state = model instanceof ComputationGraph g ? g.updaterState() : ((MultiLayerNetwork) model)
        .updaterState();
    if (state != null) {
      state.assign(0);
    }
    if (model instanceof ComputationGraph g) {
      g.getConfiguration().setIterationCount(0);
      g.getConfiguration().setEpochCount(0);
    } else {
      ((MultiLayerNetwork) model).setIterationCount(0);
      ((MultiLayerNetwork) model).setEpochCount(0);
    }
  }
}
