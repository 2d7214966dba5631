package org.medfl.common.metrics;

import org.medfl.proto.v1.Metrics;

/** {@link EvaluationMetrics} to and from the wire. */
public final class MetricsProto {
  private MetricsProto() {}

  /** The message for {@code metrics}. */
  public static Metrics toProto(EvaluationMetrics metrics) {
    Metrics.Builder proto = Metrics.newBuilder()
        .setExamples(metrics.examples())
        .setAccuracy(metrics.accuracy())
        .addAllPrecision(metrics.precision())
        .addAllRecall(metrics.recall())
        .addAllSpecificity(metrics.specificity())
        .addAllF1(metrics.f1())
        .setMacroPrecision(metrics.macroPrecision())
        .setMacroRecall(metrics.macroRecall())
        .setMacroSpecificity(metrics.macroSpecificity())
        .setMacroF1(metrics.macroF1())
        .setAuc(metrics.auc())
        .setClasses(metrics.confusion().classes());
    for (long[] row : metrics.confusion().counts()) {
      for (long count : row) {
        proto.addConfusion(count);
      }
    }
    return proto.build();
  }

  /**
   * The metrics in {@code proto}, recomputed from its confusion matrix (so a site cannot report an accuracy that its
   * own counts contradict) with the reported AUC.
   *
   * @throws IllegalArgumentException when the matrix is malformed or its class count is not {@code classes}
   */
  public static EvaluationMetrics fromProto(Metrics proto, int classes) {
    int k = proto.getClasses();
    if (k != classes || proto.getConfusionCount() != k * k) {
      throw new IllegalArgumentException("metrics for " + k + " classes with " + proto.getConfusionCount()
          + " confusion counts; the job has " + classes + " classes");
    }
    long[][] counts = new long[k][k];
    for (int i = 0; i < k * k; i++) {
      long count = proto.getConfusion(i);
      if (count < 0) {
        throw new IllegalArgumentException("negative confusion count " + count);
      }
      counts[i / k][i % k] = count;
    }
    double auc = proto.getAuc();
    if (!Double.isNaN(auc) && (auc < 0 || auc > 1)) {
      throw new IllegalArgumentException("AUC " + auc + " is outside [0, 1]");
    }
    return EvaluationMetrics.fromConfusion(ConfusionMatrix.fromCounts(counts), auc);
  }
}
