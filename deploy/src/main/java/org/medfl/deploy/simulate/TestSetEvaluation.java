package org.medfl.deploy.simulate;

import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.model.Network;
import org.medfl.common.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Accuracy of a global model on a held-out test set that no site trained on. */
public final class TestSetEvaluation {
  private static final int BATCH = 1000;

  private TestSetEvaluation() {}

  /** Share of {@code test} the model with {@code parameters} classifies correctly. */
  public static double accuracy(JobSpec spec, float[] parameters, LabeledImages test) {
    Network net = ModelZoo.network(spec);
    Parameters.copyIn(net, parameters);
    int correct = 0;
    int n = test.size();
    for (int from = 0; from < n; from += BATCH) {
      int to = Math.min(n, from + BATCH);
      INDArray batch = test.features().get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(),
          NDArrayIndex.all());
      INDArray predicted = net.output(batch).argMax(1);
      for (int i = from; i < to; i++) {
        if (predicted.getInt(i - from) == test.labels()[i]) {
          correct++;
        }
      }
    }
    return n == 0 ? Double.NaN : (double) correct / n;
  }
}
