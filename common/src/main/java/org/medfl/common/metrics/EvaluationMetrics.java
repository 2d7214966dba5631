package org.medfl.common.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How well a model classifies one set of examples, or several sites' sets combined by {@link #weightedMean}.
 * Everything but {@code auc} follows from the confusion matrix (see {@link ConfusionMatrix} for NaN and macro
 * conventions); a prediction is the class of highest probability, the first one on ties.
 *
 * @param examples number of examples
 * @param accuracy share predicted correctly; NaN without examples
 * @param precision per class, index = class
 * @param recall per class (sensitivity)
 * @param specificity per class
 * @param f1 per class
 * @param macroPrecision mean over the classes where precision is defined
 * @param macroRecall mean over the classes where recall is defined
 * @param macroSpecificity mean over the classes where specificity is defined
 * @param macroF1 mean over the classes where F1 is defined
 * @param auc ROC AUC: for 2 classes the binary AUC with class 1 as positive, for more the mean of the one-vs-rest
 *     AUCs ({@link RocAuc}); NaN when some class has no example (or every example is of one class), because an
 *     AUC needs both positives and negatives of every class. After {@link #weightedMean}, the example-weighted
 *     mean of the sites' AUCs
 * @param confusion counts of (true, predicted) class pairs
 */
public record EvaluationMetrics(
    long examples,
    double accuracy,
    List<Double> precision,
    List<Double> recall,
    List<Double> specificity,
    List<Double> f1,
    double macroPrecision,
    double macroRecall,
    double macroSpecificity,
    double macroF1,
    double auc,
    ConfusionMatrix confusion) {

  public EvaluationMetrics {
    Objects.requireNonNull(confusion, "confusion");
    // Lists rather than arrays so that the record is immutable and equals compares values (NaN equals NaN).
    precision = List.copyOf(precision);
    recall = List.copyOf(recall);
    specificity = List.copyOf(specificity);
    f1 = List.copyOf(f1);
  }

  /**
   * Metrics of class probabilities against true labels.
   *
   * @param labels true class of each example, in [0, k)
   * @param probabilities one row of k class probabilities (or any scores) per example; at least one row
   */
  public static EvaluationMetrics of(int[] labels, float[][] probabilities) {
    if (probabilities.length == 0) {
      throw new IllegalArgumentException("no examples; use EvaluationMetrics.empty(classes)");
    }
    int k = probabilities[0].length;
    if (labels.length != probabilities.length) {
      throw new IllegalArgumentException(labels.length + " labels but " + probabilities.length + " probability rows");
    }
    int[] predicted = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      predicted[i] = argMax(probabilities[i]);
    }
    double[] perClassAuc = RocAuc.oneVsRest(labels, probabilities);
    double auc = k == 2 ? perClassAuc[1] : RocAuc.macroOneVsRest(labels, probabilities);
    return fromConfusion(ConfusionMatrix.of(labels, predicted, k), auc);
  }

  /** As {@link #of(int[], float[][])} for an {@code [examples, classes]} array such as a network's output. */
  public static EvaluationMetrics of(int[] labels, INDArray probabilities) {
    if (probabilities.rank() != 2) {
      throw new IllegalArgumentException("expected [examples, classes], got rank " + probabilities.rank());
    }
    return of(labels, probabilities.toFloatMatrix());
  }

  /** Metrics of no examples over {@code classes} classes: every ratio and the AUC NaN. */
  public static EvaluationMetrics empty(int classes) {
    return fromConfusion(ConfusionMatrix.empty(classes), Double.NaN);
  }

  /** The metrics that {@code confusion} determines, with {@code auc} given (it needs the scores). */
  public static EvaluationMetrics fromConfusion(ConfusionMatrix confusion, double auc) {
    return new EvaluationMetrics(confusion.total(), confusion.accuracy(),
        perClass(confusion, confusion::precision), perClass(confusion, confusion::recall),
        perClass(confusion, confusion::specificity), perClass(confusion, confusion::f1),
        confusion.macroPrecision(), confusion.macroRecall(), confusion.macroSpecificity(), confusion.macroF1(),
        auc, confusion);
  }

  /**
   * Combines sites' metrics for the coordinator. Confusion matrices are summed, so accuracy (which equals the
   * example-weighted mean of the sites' accuracies), the per-class metrics and their macro averages are exactly
   * those of the pooled examples. AUC is the example-weighted mean of the sites' AUCs, over the sites whose AUC is
   * defined (NaN if none): the pooled AUC ranks every example against every other across sites and cannot be
   * recovered from per-site AUCs without the scores themselves.
   *
   * @throws IllegalArgumentException if {@code sites} is empty or their class counts differ
   */
  public static EvaluationMetrics weightedMean(List<EvaluationMetrics> sites) {
    if (sites.isEmpty()) {
      throw new IllegalArgumentException("no metrics to combine");
    }
    var matrices = new ArrayList<ConfusionMatrix>();
    double weightedAuc = 0;
    long aucWeight = 0;
    for (EvaluationMetrics site : sites) {
      matrices.add(site.confusion());
      if (!Double.isNaN(site.auc()) && site.examples() > 0) {
        weightedAuc += site.auc() * site.examples();
        aucWeight += site.examples();
      }
    }
    double auc = aucWeight == 0 ? Double.NaN : weightedAuc / aucWeight;
    return fromConfusion(ConfusionMatrix.sum(matrices), auc);
  }

  /** Number of classes. */
  public int classes() {
    return confusion.classes();
  }

  private static List<Double> perClass(ConfusionMatrix m, IntToDoubleFunction metric) {
    var values = new ArrayList<Double>(m.classes());
    for (int c = 0; c < m.classes(); c++) {
      values.add(metric.applyAsDouble(c));
    }
    return values;
  }

  private static int argMax(float[] row) {
    int best = 0;
    for (int c = 1; c < row.length; c++) {
      if (row[c] > row[best]) {
        best = c;
      }
    }
    return best;
  }
}
