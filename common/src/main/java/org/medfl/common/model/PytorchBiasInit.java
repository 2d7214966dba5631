package org.medfl.common.model;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.medfl.common.job.JobSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Draws the biases of a fresh network as PyTorch's Conv2d and Linear do, uniform in +-1/sqrt(fan_in), when the job
 * says {@code model.weight_init: pytorch}. DL4J can only set biases to a constant, and results published with
 * PyTorch (NIID-Bench, Flower's baselines) start from these random biases.
 */
public final class PytorchBiasInit {

  /** Mixed into the job seed so the bias draw does not repeat the weight draw's random stream. */
  private static final long STREAM = 0x5eed_b1a5L;

  private PytorchBiasInit() {}

  /** Returns {@code net}, its biases redrawn if the job asks for PyTorch's initialisation; seeded by the job. */
  static Network applyIfAsked(JobSpec spec, Network net) {
    if (spec.model().pytorchInit()) {
      apply(net, spec.seed());
    }
    return net;
  }

  /** Redraws every bias of {@code net} from U(+-1/sqrt(fan_in)) of its layer, reproducibly from {@code seed}. */
  public static void apply(Network net, long seed) {
    var random = new SplittableRandom(seed ^ STREAM);
    for (Layer layer : net.layers()) {
      var params = layer.paramTable();
      INDArray weights = params.get(DefaultParamInitializer.WEIGHT_KEY);
      INDArray bias = params.get(DefaultParamInitializer.BIAS_KEY);
      if (weights == null || bias == null) {
        continue; // pooling, batch normalisation (PyTorch also starts those at gamma 1, beta 0)
      }
      // One bias per output unit, so each unit's inputs are the weights over the biases, for convolutions too.
      double bound = 1 / Math.sqrt((double) weights.length() / bias.length());
      float[] values = new float[(int) bias.length()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextDouble(-bound, bound);
      }
      bias.assign(Nd4j.createFromArray(values).reshape(bias.shape()));
    }
  }
}
