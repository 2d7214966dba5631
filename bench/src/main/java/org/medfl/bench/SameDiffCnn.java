package org.medfl.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.ReluInitScheme;
import org.nd4j.weightinit.impl.XavierInitScheme;

/**
 * cnn-fedavg written as a SameDiff graph instead of a MultiLayerNetwork, for the torch-compare experiment "is
 * SameDiff's executor faster for this network?". Same layers, He/Xavier initialisation, zero biases, Adam 0.001.
 * Only its speed is meaningful: under DL4J 1.0.0-M2.1's {@code SameDiff.fit} this graph does not learn (test accuracy
 * stays at chance; neither did a two-layer MLP built the same way), for a reason not found (BENCHMARKS.md).
 */
final class SameDiffCnn {
  private static final String INPUT = "input";
  private static final String LABEL = "label";
  private static final String PROBABILITIES = "probabilities";

  private final SameDiff sd = SameDiff.create();

  SameDiffCnn(long seed) {
    Nd4j.getRandom().setSeed(seed);
    SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, 1, 28, 28);
    SDVariable y = sd.placeHolder(LABEL, DataType.FLOAT, -1, 10);
    SDVariable h = pool(conv(x, "c1", 1, 32));
    h = pool(conv(h, "c2", 32, 64)).reshape(-1, 64 * 7 * 7);
    SDVariable w3 = sd.var("w3", new ReluInitScheme('c', 64 * 7 * 7), DataType.FLOAT, 64 * 7 * 7, 512);
    h = sd.nn().relu(sd.nn().linear(h, w3, zeros("b3", 512)), 0);
    SDVariable w4 = sd.var("w4", new XavierInitScheme('c', 512, 10), DataType.FLOAT, 512, 10);
    SDVariable logits = sd.nn().linear(h, w4, zeros("b4", 10));
    sd.nn().softmax(PROBABILITIES, logits, 1);
    // mean over the minibatch of -sum(y * log softmax(logits)), as DL4J's MCXENT and PyTorch's CrossEntropyLoss
    sd.math().neg("loss", y.mul(sd.math().log(sd.nn().softmax(logits, 1))).sum(1).mean());
    sd.setLossVariables("loss");
    sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.001))
        .dataSetFeatureMapping(INPUT).dataSetLabelMapping(LABEL).build());
  }

  /** One epoch over {@code batches}, each already [n, 1, 28, 28] features and [n, 10] one-hot labels. */
  void fitEpoch(List<INDArray[]> batches) {
    List<DataSet> sets = new ArrayList<>();
    for (INDArray[] b : batches) {
      sets.add(new DataSet(b[0], b[1]));
    }
    sd.fit(new ExistingDataSetIterator(sets), 1);
  }

  /** Class probabilities for [n, 1, 28, 28] inputs. */
  INDArray output(INDArray x) {
    return sd.outputSingle(Map.of(INPUT, x), PROBABILITIES);
  }

  private SDVariable conv(SDVariable in, String name, int channelsIn, int channelsOut) {
    // YXIO: [kH, kW, in, out], SameDiff's default. With OIYX (DL4J's layout) M2.1's conv2d_bp fails validation.
    SDVariable w = sd.var("w" + name, new ReluInitScheme('c', channelsIn * 25), DataType.FLOAT, 5, 5, channelsIn,
        channelsOut);
    Conv2DConfig config = Conv2DConfig.builder().kH(5).kW(5).sH(1).sW(1).paddingMode(PaddingMode.SAME)
        .dataFormat("NCHW").build();
    return sd.nn().relu(sd.cnn().conv2d(in, w, zeros("b" + name, channelsOut), config), 0);
  }

  private SDVariable pool(SDVariable in) {
    return sd.cnn().maxPooling2d(in, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
  }

  private SDVariable zeros(String name, int n) {
    return sd.var(name, Nd4j.zeros(DataType.FLOAT, n));
  }
}
