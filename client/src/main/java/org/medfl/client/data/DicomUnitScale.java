package org.medfl.client.data;

import org.medfl.common.job.WindowSpec;

/**
 * Maps a decoded DICOM frame to [0, 1] for the model: linearly between the window's bounds when a window is given,
 * else between the frame's own minimum and maximum, clipped, and inverted for MONOCHROME1 so that dense is bright
 * in every image. YBR_FULL frames (from JPEG) are converted to RGB first. This is the one function to replace when the job's full preprocessing pipeline (z-score,
 * padding, ...) takes over; nothing else in {@link DicomSource} depends on how it maps.
 */
public final class DicomUnitScale {

  private DicomUnitScale() {}

  /**
   * The values of {@code image.frames().get(frame)} in [0, 1], same layout (samples side by side).
   *
   * @param window the job's window, or null for min-max; a {@code fromDicom} window uses the file's (0028,1050/1051)
   *     and falls back to min-max for files without them
   */
  public static float[] toUnit(DicomImage image, int frame, WindowSpec window) {
    double[] values = image.frames().get(frame);
    if (image.photometric().startsWith("YBR_FULL")) {
      values = ybrFullToRgb(values);
    }
    double lo;
    double hi;
    if (window != null && !window.fromDicom()) {
      lo = window.center() - window.width() / 2;
      hi = window.center() + window.width() / 2;
    } else if (window != null && image.windowCenter() != null) {
      lo = image.windowCenter() - image.windowWidth() / 2;
      hi = image.windowCenter() + image.windowWidth() / 2;
    } else {
      lo = Double.POSITIVE_INFINITY;
      hi = Double.NEGATIVE_INFINITY;
      for (double v : values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    float[] out = new float[values.length];
    double range = hi - lo;
    for (int i = 0; i < values.length; i++) {
      // a flat frame carries no signal; map it to 0 rather than divide by zero
      double unit = range > 0 ? Math.max(0, Math.min(1, (values[i] - lo) / range)) : 0;
      out[i] = (float) (image.invertedGray() ? 1 - unit : unit);
    }
    return out;
  }

  /**
   * Full-range YCbCr (JPEG's, DICOM's YBR_FULL and YBR_FULL_422) to RGB with the coefficients of ITU-T T.871,
   * clipped to [0, 255] and not rounded: the values go on to [0, 1] as floats.
   */
  static double[] ybrFullToRgb(double[] ybr) {
    double[] rgb = new double[ybr.length];
    for (int i = 0; i + 2 < ybr.length; i += 3) {
      double y = ybr[i];
      double cb = ybr[i + 1] - 128;
      double cr = ybr[i + 2] - 128;
      rgb[i] = clip(y + 1.402 * cr);
      rgb[i + 1] = clip(y - 0.344136 * cb - 0.714136 * cr);
      rgb[i + 2] = clip(y + 1.772 * cb);
    }
    return rgb;
  }

  private static double clip(double v) {
    return Math.max(0, Math.min(255, v));
  }
}
