package org.medfl.common.job;

/**
 * Random changes applied to training images only, seeded from the job's seed, the round and the epoch.
 *
 * @param rotationDegrees maximum rotation either way, 0..180
 * @param shift maximum shift as a fraction of width/height, 0..0.5
 * @param zoom maximum zoom in or out as a fraction, 0..0.5
 * @param brightness maximum brightness change as a fraction of the value range, 0..1
 * @param contrast maximum contrast change as a fraction, 0..1
 */
public record AugmentationSpec(boolean flipHorizontal, boolean flipVertical, double rotationDegrees, double shift,
    double zoom, double brightness, double contrast) {

  public AugmentationSpec {
    range("augmentation.rotation_degrees", rotationDegrees, 180);
    range("augmentation.shift", shift, 0.5);
    range("augmentation.zoom", zoom, 0.5);
    range("augmentation.brightness", brightness, 1);
    range("augmentation.contrast", contrast, 1);
  }

  /** No augmentation. */
  public static AugmentationSpec none() {
    return new AugmentationSpec(false, false, 0, 0, 0, 0, 0);
  }

  /** True when no change is ever applied. */
  public boolean isNone() {
    return equals(none());
  }

  private static void range(String key, double value, double max) {
    if (!(value >= 0 && value <= max)) {
      throw JobSpecException.key(key, "must be between 0 and " + max + ", got " + value);
    }
  }
}
