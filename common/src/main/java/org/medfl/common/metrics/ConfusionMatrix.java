package org.medfl.common.metrics;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/**
 * Counts of (true class, predicted class) pairs over k classes. Matrices from different sites add up to the matrix
 * of the pooled examples, so every metric here can be computed exactly across a federation without sharing a
 * single prediction.
 *
 * <p>Per-class metrics treat class c as positive and every other class as negative. A ratio whose denominator is 0
 * (e.g. recall of a class with no examples) is NaN, and macro averages are the means over the classes whose value
 * is defined, so an absent class is left out rather than counted as 0 (scikit-learn's {@code zero_division=0} would
 * count it as 0).
 */
public final class ConfusionMatrix {

  /** counts[actual][predicted]. */
  private final long[][] counts;

  private ConfusionMatrix(long[][] counts) {
    this.counts = counts;
  }

  /**
   * The matrix of {@code labels} against {@code predicted}, both class indices in [0, classes).
   *
   * @throws IllegalArgumentException if the arrays differ in length or hold an index out of range
   */
  public static ConfusionMatrix of(int[] labels, int[] predicted, int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("need at least 1 class, got " + classes);
    }
    if (labels.length != predicted.length) {
      throw new IllegalArgumentException(labels.length + " labels but " + predicted.length + " predictions");
    }
    long[][] counts = new long[classes][classes];
    for (int i = 0; i < labels.length; i++) {
      checkClass(labels[i], classes, "label");
      checkClass(predicted[i], classes, "prediction");
      counts[labels[i]][predicted[i]]++;
    }
    return new ConfusionMatrix(counts);
  }

  /** A matrix from its counts, {@code counts[actual][predicted]}, square and non-negative; the array is copied. */
  @JsonCreator
  public static ConfusionMatrix fromCounts(long[][] counts) {
    int k = counts.length;
    if (k < 1) {
      throw new IllegalArgumentException("need at least 1 class");
    }
    long[][] copy = new long[k][];
    for (int a = 0; a < k; a++) {
      if (counts[a].length != k) {
        throw new IllegalArgumentException("row " + a + " has " + counts[a].length + " entries, expected " + k);
      }
      for (long c : counts[a]) {
        if (c < 0) {
          throw new IllegalArgumentException("negative count " + c + " in row " + a);
        }
      }
      copy[a] = counts[a].clone();
    }
    return new ConfusionMatrix(copy);
  }

  /** An all-zero matrix over {@code classes} classes. */
  public static ConfusionMatrix empty(int classes) {
    return of(new int[0], new int[0], classes);
  }

  /** The sum of {@code matrices}, all over the same number of classes: the matrix of their pooled examples. */
  public static ConfusionMatrix sum(List<ConfusionMatrix> matrices) {
    if (matrices.isEmpty()) {
      throw new IllegalArgumentException("nothing to sum");
    }
    ConfusionMatrix total = matrices.get(0);
    for (int i = 1; i < matrices.size(); i++) {
      total = total.plus(matrices.get(i));
    }
    return total;
  }

  /** This matrix plus {@code other}, entry by entry. */
  public ConfusionMatrix plus(ConfusionMatrix other) {
    if (other.classes() != classes()) {
      throw new IllegalArgumentException("cannot add a " + other.classes() + "-class matrix to a " + classes()
          + "-class one");
    }
    long[][] sum = new long[classes()][classes()];
    for (int a = 0; a < classes(); a++) {
      for (int p = 0; p < classes(); p++) {
        sum[a][p] = Math.addExact(counts[a][p], other.counts[a][p]);
      }
    }
    return new ConfusionMatrix(sum);
  }

  /** Number of classes k. */
  public int classes() {
    return counts.length;
  }

  /** Examples of class {@code actual} predicted as {@code predicted}. */
  public long count(int actual, int predicted) {
    return counts[actual][predicted];
  }

  /** A copy of the counts, {@code [actual][predicted]}. */
  @JsonValue
  public long[][] counts() {
    long[][] copy = new long[classes()][];
    for (int a = 0; a < classes(); a++) {
      copy[a] = counts[a].clone();
    }
    return copy;
  }

  /** Number of examples. */
  public long total() {
    long n = 0;
    for (long[] row : counts) {
      for (long c : row) {
        n += c;
      }
    }
    return n;
  }

  /** Examples of class c (the row sum). */
  public long support(int c) {
    return Arrays.stream(counts[c]).sum();
  }

  /** Examples of class c predicted as c. */
  public long truePositives(int c) {
    return counts[c][c];
  }

  /** Examples of other classes predicted as c (the column sum minus the diagonal). */
  public long falsePositives(int c) {
    long predictedAsC = 0;
    for (long[] row : counts) {
      predictedAsC += row[c];
    }
    return predictedAsC - counts[c][c];
  }

  /** Examples of class c predicted as another class. */
  public long falseNegatives(int c) {
    return support(c) - counts[c][c];
  }

  /** Examples of other classes predicted as another class than c. */
  public long trueNegatives(int c) {
    return total() - truePositives(c) - falsePositives(c) - falseNegatives(c);
  }

  /** Share of examples predicted correctly; NaN without examples. */
  public double accuracy() {
    long correct = 0;
    for (int c = 0; c < classes(); c++) {
      correct += counts[c][c];
    }
    return ratio(correct, total());
  }

  /** TP / (TP + FP): how often a prediction of c is right; NaN if c is never predicted. */
  public double precision(int c) {
    return ratio(truePositives(c), truePositives(c) + falsePositives(c));
  }

  /** TP / (TP + FN), also called sensitivity: the share of class c found; NaN if c has no examples. */
  public double recall(int c) {
    return ratio(truePositives(c), support(c));
  }

  /** TN / (TN + FP): the share of other classes not called c; NaN if every example is of class c. */
  public double specificity(int c) {
    return ratio(trueNegatives(c), trueNegatives(c) + falsePositives(c));
  }

  /**
   * 2TP / (2TP + FP + FN), the harmonic mean of precision and recall (0 when either is 0); NaN if c neither
   * occurs nor is predicted.
   */
  public double f1(int c) {
    long tp = truePositives(c);
    return ratio(2 * tp, 2 * tp + falsePositives(c) + falseNegatives(c));
  }

  /** Mean of {@link #precision} over the classes where it is defined; NaN if it is defined for none. */
  public double macroPrecision() {
    return macro(this::precision);
  }

  /** Mean of {@link #recall} over the classes where it is defined; NaN if it is defined for none. */
  public double macroRecall() {
    return macro(this::recall);
  }

  /** Mean of {@link #specificity} over the classes where it is defined; NaN if it is defined for none. */
  public double macroSpecificity() {
    return macro(this::specificity);
  }

  /** Mean of {@link #f1} over the classes where it is defined; NaN if it is defined for none. */
  public double macroF1() {
    return macro(this::f1);
  }

  private double macro(java.util.function.IntToDoubleFunction perClass) {
    double sum = 0;
    int defined = 0;
    for (int c = 0; c < classes(); c++) {
      double v = perClass.applyAsDouble(c);
      if (!Double.isNaN(v)) {
        sum += v;
        defined++;
      }
    }
    return defined == 0 ? Double.NaN : sum / defined;
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : numerator / (double) denominator;
  }

  private static void checkClass(int c, int classes, String what) {
    if (c < 0 || c >= classes) {
      throw new IllegalArgumentException(what + " " + c + " is not a class index in [0, " + classes + ")");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfusionMatrix m && Arrays.deepEquals(counts, m.counts);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(counts);
  }

  /** Rows are true classes, columns predicted ones, e.g. "[[4, 2], [1, 3]]". */
  @Override
  public String toString() {
    return Arrays.deepToString(counts);
  }
}
