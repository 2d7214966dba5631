package org.medfl.client.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A site's images in memory, ready for DL4J.
 *
 * @param features {@code [N, C, H, W]} float32, in [0, 1] unless the job's preprocessing asks for "zscore"
 * @param labels for each image, its index into {@code classes}
 * @param classes the job's labels, in the job's order
 * @param patientIds for each image, the patient it came from when the file name says so, else a null entry;
 *     lets splits keep one patient's images on one side
 */
public record LabeledImages(INDArray features, int[] labels, List<String> classes, List<String> patientIds) {

  public LabeledImages {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    classes = List.copyOf(classes);
    // Null entries are meaningful ("unknown patient"), so List.copyOf, which rejects nulls, cannot be used.
    patientIds = Collections.unmodifiableList(new ArrayList<>(patientIds));
    if (features.rank() != 4 || features.size(0) != labels.length || patientIds.size() != labels.length) {
      throw new IllegalArgumentException("features " + java.util.Arrays.toString(features.shape()) + ", "
          + labels.length + " labels and " + patientIds.size() + " patient ids do not describe the same images");
    }
    for (int label : labels) {
      if (label < 0 || label >= classes.size()) {
        throw new IllegalArgumentException("label " + label + " is not an index into " + classes);
      }
    }
  }

  /** Number of images. */
  public int size() {
    return labels.length;
  }
}
