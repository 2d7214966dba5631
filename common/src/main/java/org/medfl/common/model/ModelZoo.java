package org.medfl.common.model;

import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.OptimizerSpec;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The architectures a job may name; the single registry that JOB.yaml's 'model.name' is checked against.
 * Every site and the coordinator build the same network from the same {@link JobSpec}, so parameter vectors line up.
 */
public final class ModelZoo {

  /**
   * The CNN of McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized Data",
   * AISTATS 2017 (arXiv 1602.05629): conv 5x5x32, max-pool 2x2, conv 5x5x64, max-pool 2x2, dense 512, softmax.
   */
  public static final String CNN_FEDAVG = "cnn-fedavg";

  /** Momentum for "nesterovs"; 0.9 is the usual choice and JOB.yaml has no key for it. */
  static final double NESTEROV_MOMENTUM = 0.9;

  private static final List<String> NAMES = List.of(CNN_FEDAVG);

  private ModelZoo() {}

  /** Model names a job may use, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * The job's network, initialised from {@code spec.seed()}: the same spec gives the same initial weights everywhere.
   * Float32, NCHW input of {@code spec.model()}'s shape, one softmax output per class.
   */
  public static MultiLayerNetwork build(JobSpec spec) {
    NativeAcceleration.enable();
    var net = new MultiLayerNetwork(configuration(spec));
    net.init();
    return net;
  }

  /** Number of trainable parameters of the job's network, computed without allocating it. */
  public static long parameterCount(JobSpec spec) {
    MultiLayerConfiguration conf = configuration(spec);
    long total = 0;
    for (NeuralNetConfiguration layer : conf.getConfs()) {
      total += layer.getLayer().initializer().numParams(layer);
    }
    return total;
  }

  static MultiLayerConfiguration configuration(JobSpec spec) {
    if (!CNN_FEDAVG.equals(spec.model().name())) {
      // JobSpec already checks names against NAMES; this guards a name added there but not here.
      throw new IllegalArgumentException("no network is defined for model '" + spec.model().name() + "'");
    }
    return cnnFedAvg(spec);
  }

  private static MultiLayerConfiguration cnnFedAvg(JobSpec spec) {
    var m = spec.model();
    return new NeuralNetConfiguration.Builder()
        .seed(spec.seed())
        .dataType(DataType.FLOAT)
        .updater(updater(spec.optimizer()))
        .weightInit(WeightInit.RELU)
        // "same" padding as in the paper; pooling with "same" keeps the edge pixels of odd-sized inputs.
        .convolutionMode(ConvolutionMode.Same)
        .list()
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).stride(1, 1).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(64).stride(1, 1).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new DenseLayer.Builder().nOut(512).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(spec.classes().size())
            .activation(Activation.SOFTMAX)
            .weightInit(WeightInit.XAVIER)
            .build())
        .setInputType(InputType.convolutional(m.height(), m.width(), m.channels()))
        .build();
  }

  private static IUpdater updater(OptimizerSpec o) {
    return switch (o.name()) {
      case "sgd" -> new Sgd(o.learningRate());
      case "adam" -> new Adam(o.learningRate());
      case "nesterovs" -> new Nesterovs(o.learningRate(), NESTEROV_MOMENTUM);
      default -> throw new IllegalArgumentException("no updater for optimizer '" + o.name() + "'");
    };
  }
}
