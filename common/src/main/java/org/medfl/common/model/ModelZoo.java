package org.medfl.common.model;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.medfl.common.job.JobSpec;
import org.medfl.common.job.JobSpecException;

/**
 * The architectures a job may name; the single registry that JOB.yaml's 'model.name' is checked against.
 * Every site and the coordinator build the same network from the same {@link JobSpec}, so parameter vectors line up.
 * Every model ends in softmax with multi-class cross-entropy, for two classes too, so evaluation reads one
 * probability per class from any of them. {@code model.dropout} applies to the inputs of the dense and output
 * layers, {@code model.l2} to the weights of every layer, {@code model.pretrained.freeze_layers} to the first
 * layers in the order each model's Javadoc lists, {@code model.weight_init} to how fresh weights and biases are
 * drawn (DL4J's He and Xavier, or PyTorch's default).
 */
public final class ModelZoo {

  /**
   * The CNN of McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized Data",
   * AISTATS 2017 (arXiv 1602.05629): conv 5x5x32, max-pool 2x2, conv 5x5x64, max-pool 2x2, dense 512, softmax.
   */
  public static final String CNN_FEDAVG = "cnn-fedavg";

  /** The Keras MNIST example: conv 3x3x32, max-pool, conv 3x3x64, max-pool, dense 128, softmax. */
  public static final String CNN_SMALL = "cnn-small";

  /**
   * NIID-Bench's simple CNN (Li et al., ICDE 2022): conv 5x5x6, max-pool, conv 5x5x16, max-pool, dense 120,
   * dense 84, softmax.
   */
  public static final String CNN_NIID = "cnn-niid";

  /** A small ResNet (He et al., CVPR 2016) for 64 to 224 pixel inputs; a ComputationGraph. */
  public static final String RESNET_SMALL = "resnet-small";

  private static final List<String> NAMES = List.of(CNN_FEDAVG, CNN_SMALL, CNN_NIID, RESNET_SMALL);

  private ModelZoo() {}

  /** Model names a job may use, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * The job's network when it is a MultiLayerNetwork (every model but resnet-small), initialised from
   * {@code spec.seed()}: the same spec gives the same initial weights everywhere. Float32, NCHW input of
   * {@code spec.model()}'s shape, one softmax output per class. Never reads a pretrained file; see
   * {@link #initialParameters}.
   *
   * @throws IllegalArgumentException for a graph model; use {@link #network} for those
   */
  public static MultiLayerNetwork build(JobSpec spec) {
    if (isGraph(spec.model().name())) {
      throw new IllegalArgumentException("model '" + spec.model().name()
          + "' is a ComputationGraph, not a MultiLayerNetwork; build it with ModelZoo.network");
    }
    return (MultiLayerNetwork) network(spec).dl4j();
  }

  /** The job's network of either kind, as {@link #build} describes; use this where any model may come. */
  public static Network network(JobSpec spec) {
    NativeAcceleration.enable();
    if (isGraph(spec.model().name())) {
      var graph = new ComputationGraph(ResNetSmall.configuration(spec));
      graph.init();
      return PytorchBiasInit.applyIfAsked(spec, Network.of(graph));
    }
    var net = new MultiLayerNetwork(sequential(spec));
    net.init();
    return PytorchBiasInit.applyIfAsked(spec, Network.of(net));
  }

  /**
   * The round-0 global model: the parameters of {@code model.pretrained.file} when the job names one, otherwise
   * the seeded initialisation of {@link #network}. Only the coordinator calls this; sites receive the result.
   *
   * @throws JobSpecException naming the file if it cannot be read or its architecture is not the job's
   */
  public static float[] initialParameters(JobSpec spec) {
    Network net = network(spec);
    var pretrained = spec.model().pretrained();
    if (pretrained != null) {
      PretrainedModel.loadInto(Path.of(pretrained.file()), net, spec.model().name());
    }
    return Parameters.copyOut(net, null);
  }

  /** Number of parameters of the job's network (DL4J's numParams()), computed without allocating it. */
  public static long parameterCount(JobSpec spec) {
    long total = 0;
    if (isGraph(spec.model().name())) {
      ComputationGraphConfiguration conf = ResNetSmall.configuration(spec);
      for (GraphVertex vertex : conf.getVertices().values()) {
        total += vertex.numParams(true);
      }
      return total;
    }
    for (NeuralNetConfiguration layer : sequential(spec).getConfs()) {
      total += layer.getLayer().initializer().numParams(layer);
    }
    return total;
  }

  /**
   * How many layers the model has, in the sense of {@code model.pretrained.freeze_layers}: DL4J layers, pooling
   * and activation layers included.
   */
  public static int layerCount(String name) {
    return switch (name) {
      case CNN_FEDAVG, CNN_SMALL -> 6;
      case CNN_NIID -> 7;
      case RESNET_SMALL -> ResNetSmall.LAYERS;
      default -> throw unknown(name);
    };
  }

  /**
   * Smallest input width and height, in pixels, the model takes: "valid" convolutions and pooling must leave at
   * least one pixel, and resnet-small is meant for 64 px and up.
   */
  public static int minInputPixels(String name) {
    return switch (name) {
      case CNN_FEDAVG -> 8; // "same" padding: any size JOB.yaml allows
      case CNN_SMALL -> 10; // 10 -conv3-> 8 -pool-> 4 -conv3-> 2 -pool-> 1
      case CNN_NIID -> 16; // 16 -conv5-> 12 -pool-> 6 -conv5-> 2 -pool-> 1
      case RESNET_SMALL -> 64;
      default -> throw unknown(name);
    };
  }

  /** Largest input width and height, in pixels, the model takes. */
  public static int maxInputPixels(String name) {
    // resnet-small's few blocks see too little of a larger image; the others are bounded only by JOB.yaml's 512.
    return RESNET_SMALL.equals(name) ? 224 : 512;
  }

  /** Whether the model is a ComputationGraph (resnet-small) rather than a MultiLayerNetwork. */
  public static boolean isGraph(String name) {
    return RESNET_SMALL.equals(name);
  }

  private static MultiLayerConfiguration sequential(JobSpec spec) {
    String name = spec.model().name();
    return switch (name) {
      case CNN_FEDAVG -> SequentialCnns.cnnFedAvg(spec);
      case CNN_SMALL -> SequentialCnns.cnnSmall(spec);
      case CNN_NIID -> SequentialCnns.cnnNiid(spec);
      default -> throw unknown(name);
    };
  }

  private static IllegalArgumentException unknown(String name) {
    // JobSpec already checks names against NAMES; this guards a name added there but not here.
    return new IllegalArgumentException("no network is defined for model '" + name + "'");
  }
}
