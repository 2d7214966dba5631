package org.medfl.client.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.medfl.client.data.LabeledImages;

/**
 * Deterministic train/validation split that keeps each patient's images on one side, so that validation
 * accuracy is not inflated by near-duplicate scans of a patient seen in training. Images without a patient id
 * count as patients of their own. Not stratified by class: with a few hundred images per site a shuffled split
 * keeps each class's share close enough.
 *
 * @param train indices into the data, ascending
 * @param validation indices into the data, ascending
 */
record ValidationSplit(int[] train, int[] validation) {

  /** Splits {@code data} so that about {@code fraction} of its images, at least one when fraction > 0, validate. */
  static ValidationSplit of(LabeledImages data, double fraction, long seed) {
    int n = data.size();
    int target = fraction <= 0 || n < 2 ? 0 : (int) Math.max(1, Math.round(n * fraction));
    var groups = new LinkedHashMap<Object, List<Integer>>();
    for (int i = 0; i < n; i++) {
      String patient = data.patientIds().get(i);
      groups.computeIfAbsent(patient == null ? Integer.valueOf(i) : patient, k -> new ArrayList<>()).add(i);
    }
    var order = new ArrayList<>(groups.values());
    Collections.shuffle(order, new Random(seed));
    boolean[] validate = new boolean[n];
    int taken = 0;
    for (List<Integer> group : order) {
      // never let validation swallow the last training image
      if (taken >= target || taken + group.size() >= n) {
        continue;
      }
      group.forEach(i -> validate[i] = true);
      taken += group.size();
    }
    return new ValidationSplit(
        IntStream.range(0, n).filter(i -> !validate[i]).toArray(),
        IntStream.range(0, n).filter(i -> validate[i]).toArray());
  }
}
