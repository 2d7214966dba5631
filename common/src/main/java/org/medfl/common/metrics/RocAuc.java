package org.medfl.common.metrics;

import java.util.Arrays;

/**
 * Area under the ROC curve, computed exactly as the Mann-Whitney U statistic (Hanley and McNeil, "The meaning and
 * use of the area under a receiver operating characteristic (ROC) curve", Radiology 1982): the probability that a
 * random positive scores above a random negative, ties counting one half. Tied scores get the average of their
 * ranks, which is what makes ties count one half; no threshold grid, so no approximation.
 */
public final class RocAuc {

  private RocAuc() {}

  /**
   * Binary AUC of {@code scores} (higher means more likely positive) against {@code positive}.
   *
   * @return in [0, 1]: 1 for a perfect ranking, 0 for an inverted one, 0.5 when every score ties; NaN if there
   *     are no positives or no negatives
   * @throws IllegalArgumentException if the arrays differ in length or a score is NaN
   */
  public static double binary(double[] scores, boolean[] positive) {
    int n = scores.length;
    if (positive.length != n) {
      throw new IllegalArgumentException(n + " scores but " + positive.length + " labels");
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("score " + i + " is NaN");
      }
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double positiveRankSum = 0;
    long positives = 0;
    for (int start = 0; start < n; ) {
      int end = start;
      while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) {
        end++;
      }
      double averageRank = (start + end) / 2.0 + 1; // ranks are 1-based: positions start..end share their mean
      for (int i = start; i <= end; i++) {
        if (positive[order[i]]) {
          positiveRankSum += averageRank;
          positives++;
        }
      }
      start = end + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    double u = positiveRankSum - positives * (positives + 1) / 2.0;
    return u / ((double) positives * negatives);
  }

  /**
   * One-vs-rest AUC of each class: class c's probability as the score, class c as positive.
   *
   * @param labels true class of each example, in [0, k)
   * @param probabilities one row of k class scores per example
   * @return k values, NaN for a class with no examples or with nothing but examples
   */
  public static double[] oneVsRest(int[] labels, float[][] probabilities) {
    if (labels.length != probabilities.length) {
      throw new IllegalArgumentException(labels.length + " labels but " + probabilities.length + " score rows");
    }
    int k = probabilities.length == 0 ? 0 : probabilities[0].length;
    double[] auc = new double[k];
    double[] scores = new double[labels.length];
    boolean[] positive = new boolean[labels.length];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < labels.length; i++) {
        if (probabilities[i].length != k) {
          throw new IllegalArgumentException("row " + i + " has " + probabilities[i].length + " scores, expected " + k);
        }
        scores[i] = probabilities[i][c];
        positive[i] = labels[i] == c;
      }
      auc[c] = binary(scores, positive);
    }
    return auc;
  }

  /**
   * Mean of {@link #oneVsRest} over all classes; NaN if any class is absent (or alone), so that a site missing a
   * class does not report an AUC over a different set of classes than the others.
   */
  public static double macroOneVsRest(int[] labels, float[][] probabilities) {
    double[] perClass = oneVsRest(labels, probabilities);
    if (perClass.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (double a : perClass) {
      sum += a; // a NaN makes the mean NaN, as documented
    }
    return sum / perClass.length;
  }
}
