package org.medfl.common.model;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.ModelSpec;
import org.medfl.common.job.OptimizerSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * What every architecture applies the same way: seed, float32, the job's optimiser, L2, dropout before dense
 * layers, and frozen leading layers. With dropout 0, L2 0 and nothing frozen it adds nothing to the configuration,
 * so networks (and their seeded initial weights) are exactly those built before these options existed.
 */
final class LayerSettings {

  /** Momentum for "nesterovs" and "momentum"; 0.9 is the usual choice and JOB.yaml has no key for it. */
  static final double NESTEROV_MOMENTUM = 0.9;

  private final ModelSpec model;
  private final int freeze;
  private int nextLayer;

  LayerSettings(JobSpec spec) {
    this.model = spec.model();
    this.freeze = model.pretrained() == null ? 0 : model.pretrained().freezeLayers();
  }

  /**
   * The global part of a configuration: seed, data type, updater, initialisation ({@code model.weight_init}), L2 on
   * all weights and, with {@code model.l2_biases}, on all biases, caching.
   */
  static NeuralNetConfiguration.Builder base(JobSpec spec) {
    var builder = new NeuralNetConfiguration.Builder()
        .seed(spec.seed())
        .dataType(DataType.FLOAT)
        .updater(updater(spec.optimizer()))
        // DL4J's UNIFORM is U(-a, a) with a = 1/sqrt(fan_in): what PyTorch's kaiming_uniform_(a=sqrt(5)) works out
        // to for Conv2d and Linear weights. DL4J sets biases to a constant, so PytorchBiasInit draws those.
        .weightInit(spec.model().pytorchInit() ? WeightInit.UNIFORM : WeightInit.RELU)
        // Without a cache DL4J recomputes every layer's forward pass during backprop; keeping it is the same
        // arithmetic done once (see BENCHMARKS.md, "Experiments to close the gap").
        .cacheMode(CacheMode.DEVICE);
    double l2 = spec.model().l2();
    if (l2 > 0) {
      // DL4J's l2 covers weights, not biases; model.l2_biases asks for those separately.
      builder.l2(l2);
    }
    double l2Biases = spec.model().l2Biases();
    if (l2Biases > 0) {
      builder.l2Bias(l2Biases);
    }
    return builder;
  }

  /** The output layer's initialisation: Xavier, or with {@code weight_init: pytorch} the same as every layer. */
  WeightInit outputInit() {
    return model.pytorchInit() ? WeightInit.UNIFORM : WeightInit.XAVIER;
  }

  /**
   * A dense or output layer's builder with the job's dropout on its input. ModelSpec.dropout is the probability
   * of dropping; DL4J's dropOut takes the probability of keeping.
   */
  <T extends Layer.Builder<T>> T dense(T builder) {
    if (model.dropout() > 0) {
      builder.dropOut(1 - model.dropout());
    }
    return builder;
  }

  /**
   * The next layer in network order, wrapped as frozen if it is among the first {@code freeze_layers}.
   * Layers without parameters (pooling, activation) count towards N but need no wrapping.
   */
  Layer next(Layer layer) {
    int index = nextLayer++;
    if (index < freeze && !(layer instanceof NoParamLayer)) {
      return new FrozenLayer(layer);
    }
    return layer;
  }

  static IUpdater updater(OptimizerSpec o) {
    return switch (o.name()) {
      case "sgd" -> new Sgd(o.learningRate());
      case "adam" -> new Adam(o.learningRate());
      case "nesterovs" -> new Nesterovs(o.learningRate(), NESTEROV_MOMENTUM);
      case "momentum" -> new HeavyBallMomentum(o.learningRate(), NESTEROV_MOMENTUM);
      default -> throw new IllegalArgumentException("no updater for optimizer '" + o.name() + "'");
    };
  }
}
