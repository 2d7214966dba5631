package org.medfl.client.preprocess;

import java.util.Objects;

/**
 * A decoded image before preprocessing: sample values in the source's own units, one plane per channel.
 * Decoders (PNG/JPEG, DICOM) build one and hand it to {@link Preprocessor#apply}.
 *
 * @param channels 1 plane (gray) or 3 (R, G, B); each holds {@code rows * cols} values in row-major order,
 *     the pixel at column x of row y at index {@code y * cols + x}. Not copied: do not change it afterwards.
 * @param rows image height in pixels, at least 1
 * @param cols image width in pixels, at least 1
 * @param bitDepth for unsigned integer samples (PNG, JPEG): bits per sample, 1..32, and "unit" normalisation maps
 *     0..2^bitDepth-1 to [0, 1]; {@link #MODALITY_UNITS} for values in physical units (e.g. Hounsfield units of a
 *     rescaled CT), which "unit" maps by the image's own min..max when no window applies
 * @param windowCenter the file's own window centre (DICOM Window Center, 0028,1050) in the same units as the
 *     values, used when the job asks for {@code from_dicom} windowing; null when the file has none
 * @param windowWidth the file's own window width (DICOM 0028,1051), greater than 0; null when the file has none
 */
public record RawImage(double[][] channels, int rows, int cols, int bitDepth, Double windowCenter,
    Double windowWidth) {

  /** {@link #bitDepth} of values in physical units rather than unsigned integer samples. */
  public static final int MODALITY_UNITS = 0;

  public RawImage {
    Objects.requireNonNull(channels, "channels");
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + cols + "x" + rows);
    }
    if (channels.length != 1 && channels.length != 3) {
      throw new IllegalArgumentException("need 1 or 3 channels, got " + channels.length);
    }
    for (double[] plane : channels) {
      if (plane == null || plane.length != rows * cols) {
        throw new IllegalArgumentException("each channel must hold rows * cols = " + rows * cols + " values");
      }
    }
    if (bitDepth < 0 || bitDepth > 32) {
      throw new IllegalArgumentException("bitDepth must be 0 (modality units) or 1..32, got " + bitDepth);
    }
    if ((windowCenter == null) != (windowWidth == null)) {
      throw new IllegalArgumentException("window center and width come together, got " + windowCenter + " and "
          + windowWidth);
    }
    if (windowWidth != null && (!(windowWidth > 0) || !Double.isFinite(windowWidth)
        || !Double.isFinite(windowCenter))) {
      throw new IllegalArgumentException("window width must be a positive number, got " + windowWidth);
    }
  }

  /** An image of unsigned integer samples (PNG, JPEG) without window tags. */
  public static RawImage unsigned(double[][] channels, int rows, int cols, int bitDepth) {
    if (bitDepth < 1) {
      throw new IllegalArgumentException("unsigned samples need a bit depth of 1..32, got " + bitDepth);
    }
    return new RawImage(channels, rows, cols, bitDepth, null, null);
  }

  /**
   * A one-channel image in physical units (e.g. CT in Hounsfield units after the DICOM rescale).
   *
   * @param windowCenter the file's window centre, or null if it has none (then {@code windowWidth} is null too)
   * @param windowWidth the file's window width, or null
   */
  public static RawImage modality(double[] values, int rows, int cols, Double windowCenter, Double windowWidth) {
    return new RawImage(new double[][] {values}, rows, cols, MODALITY_UNITS, windowCenter, windowWidth);
  }

  /** True when the file carries its own window centre and width. */
  public boolean hasWindow() {
    return windowCenter != null;
  }
}
