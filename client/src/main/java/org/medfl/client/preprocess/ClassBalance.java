package org.medfl.client.preprocess;

import java.util.Arrays;
import java.util.Random;

/**
 * Two ways to counter a site's class imbalance, both computed from the site's own training labels only
 * (nothing about them leaves the site): class weights for the loss, and an oversampled training order.
 */
public final class ClassBalance {

  private ClassBalance() {}

  /**
   * Inverse-frequency class weights, {@code N / (K * n_c)} for a class with {@code n_c} of the {@code N} labels,
   * where K is the number of classes present. Scaled so that the mean weight over the examples is 1, which keeps
   * the loss, and so the learning rate's effect, on the scale of the unweighted loss. A class absent from
   * {@code labels} weighs 1; it has no example here, so its weight changes nothing.
   *
   * @param labels class index of each training example, each in 0..classes-1, at least one
   * @param classes number of classes of the job
   * @return one weight per class
   */
  public static double[] inverseFrequencyWeights(int[] labels, int classes) {
    int[] counts = counts(labels, classes);
    long present = Arrays.stream(counts).filter(n -> n > 0).count();
    double[] weights = new double[classes];
    for (int c = 0; c < classes; c++) {
      weights[c] = counts[c] == 0 ? 1 : labels.length / (double) (present * counts[c]);
    }
    return weights;
  }

  /**
   * One epoch's training order with every present class brought up to the majority class's count: each
   * example appears once, minority classes are topped up by drawing their examples with replacement, and the
   * whole order is shuffled. All randomness comes from {@code rnd}, so a seeded one gives the same order.
   *
   * @param labels class index of each training example, each in 0..classes-1, at least one
   * @param classes number of classes of the job
   * @return positions into {@code labels}; its length is (classes present) x (largest class count)
   */
  public static int[] oversampledOrder(int[] labels, int classes, Random rnd) {
    int[] counts = counts(labels, classes);
    int majority = Arrays.stream(counts).max().orElse(0);
    int[][] members = new int[classes][];
    for (int c = 0; c < classes; c++) {
      members[c] = new int[counts[c]];
    }
    int[] filled = new int[classes];
    for (int i = 0; i < labels.length; i++) {
      members[labels[i]][filled[labels[i]]++] = i;
    }
    int present = (int) Arrays.stream(counts).filter(n -> n > 0).count();
    int[] order = new int[present * majority];
    int k = 0;
    for (int c = 0; c < classes; c++) {
      if (counts[c] == 0) {
        continue;
      }
      for (int m : members[c]) {
        order[k++] = m;
      }
      for (int extra = counts[c]; extra < majority; extra++) {
        order[k++] = members[c][rnd.nextInt(counts[c])];
      }
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private static int[] counts(int[] labels, int classes) {
    if (labels.length == 0) {
      throw new IllegalArgumentException("need at least one label");
    }
    int[] counts = new int[classes];
    for (int label : labels) {
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("label " + label + " is not in 0.." + (classes - 1));
      }
      counts[label]++;
    }
    return counts;
  }
}
