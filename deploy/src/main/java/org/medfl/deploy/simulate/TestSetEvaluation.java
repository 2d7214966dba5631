package org.medfl.deploy.simulate;

import org.medfl.client.data.LabeledImages;
import org.medfl.common.job.JobSpec;
import org.medfl.common.metrics.ConfusionMatrix;
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
    return test.size() == 0 ? Double.NaN : confusion(spec, parameters, test).accuracy();
  }

  /** Actual against predicted class of every image of {@code test}, for per-class recall and precision. */
  public static ConfusionMatrix confusion(JobSpec spec, float[] parameters, LabeledImages test) {
    Network net = ModelZoo.network(spec);
    Parameters.copyIn(net, parameters);
    int n = test.size();
    int[] predicted = new int[n];
    for (int from = 0; from < n; from += BATCH) {
      int to = Math.min(n, from + BATCH);
      INDArray batch = test.features().get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(),
          NDArrayIndex.all());
      INDArray argMax = net.output(batch).argMax(1);
      for (int i = from; i < to; i++) {
        predicted[i] = argMax.getInt(i - from);
      }
    }
    return ConfusionMatrix.of(test.labels(), predicted, spec.classes().size());
  }
}
