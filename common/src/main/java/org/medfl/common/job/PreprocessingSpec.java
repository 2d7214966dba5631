package org.medfl.common.job;

import java.util.List;

/**
 * How a site turns its images into model input, applied locally before training and evaluation.
 *
 * @param resize "pad" keeps the aspect ratio and pads with the image minimum; "stretch" scales each axis
 * @param window CT windowing, or null for none
 * @param normalize "unit" scales to [0, 1]; "zscore" then subtracts {@code mean} and divides by {@code std}
 * @param mean used by "zscore"
 * @param std used by "zscore", greater than 0
 */
public record PreprocessingSpec(String resize, WindowSpec window, String normalize, double mean, double std) {
  /** Resize modes. */
  public static final List<String> RESIZE = List.of("pad", "stretch");
  /** Normalisation modes. */
  public static final List<String> NORMALIZE = List.of("unit", "zscore");

  public PreprocessingSpec {
    JobSpec.oneOf("preprocessing.resize", resize, RESIZE);
    JobSpec.oneOf("preprocessing.normalize", normalize, NORMALIZE);
    if (!(std > 0) || Double.isInfinite(std)) {
      throw JobSpecException.key("preprocessing.std", "must be a positive number, got " + std);
    }
    if (!Double.isFinite(mean)) {
      throw JobSpecException.key("preprocessing.mean", "must be a finite number, got " + mean);
    }
  }

  /** Keep aspect, no windowing, scale to [0, 1]. */
  public static PreprocessingSpec defaults() {
    return new PreprocessingSpec("pad", null, "unit", 0, 1);
  }
}
