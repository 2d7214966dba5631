package org.medfl.client.preprocess;

import java.util.Arrays;
import java.util.Objects;
import org.medfl.common.job.PreprocessingSpec;
import org.medfl.common.job.WindowSpec;

/**
 * Turns one decoded image into model input as the job's {@link PreprocessingSpec} says, in this order:
 * <ol>
 *   <li>map to [0, 1]: by the CT window when one applies (values clipped to [c - w/2, c + w/2], then
 *       (v - (c - w/2)) / w; the job's window, or with {@code from_dicom} the file's own tags, and files without
 *       tags are not windowed); otherwise by the source's value range: 0..2^bits-1 for unsigned integer samples
 *       (0..255 for 8-bit PNG/JPEG), the image's own min..max for values in physical units (a flat image
 *       becomes all 0);</li>
 *   <li>convert channels: 3 to 1 by luminance (ITU-R BT.601 weights), 1 to 3 by repeating the plane;</li>
 *   <li>resize bilinearly to the model's width x height: "stretch" scales each axis; "pad" scales both axes by
 *       the same factor so the whole image fits, centres it, and fills the margins with the image's minimum
 *       after step 1 (left/top margins get the odd pixel's share rounded down);</li>
 *   <li>"zscore" then applies (x - mean) / std; "unit" leaves [0, 1].</li>
 * </ol>
 * Immutable and thread-safe.
 */
public final class Preprocessor {

  private final PreprocessingSpec spec;
  private final int width;
  private final int height;
  private final int channels;

  /**
   * @param spec the job's preprocessing section
   * @param width model input width in pixels, at least 1
   * @param height model input height in pixels, at least 1
   * @param channels model input channels, 1 (luminance) or 3 (RGB)
   */
  public Preprocessor(PreprocessingSpec spec, int width, int height, int channels) {
    this.spec = Objects.requireNonNull(spec, "spec");
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.channels = channels;
  }

  /** The image as {@code channels} planes of {@code height x width}, planar (CHW) as one NCHW row expects. */
  public float[] apply(RawImage image) {
    int n = image.rows() * image.cols();
    float[][] unit = toUnit(image);
    float[][] converted = convert(unit, n);
    float[] out = new float[channels * width * height];
    int plane = width * height;
    if (spec.resize().equals("stretch")) {
      for (int c = 0; c < channels; c++) {
        Bilinear.resize(converted[c], image.cols(), image.rows(), out, c * plane, width, width, height);
      }
    } else {
      pad(converted, image.cols(), image.rows(), out);
    }
    if (spec.normalize().equals("zscore")) {
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) ((out[i] - spec.mean()) / spec.std());
      }
    }
    return out;
  }

  /** Step 1: every value mapped to [0, 1] by the window or the source range. */
  private float[][] toUnit(RawImage image) {
    double low;
    double span;
    WindowSpec window = spec.window();
    if (window != null && !window.fromDicom()) {
      low = window.center() - window.width() / 2;
      span = window.width();
    } else if (window != null && image.hasWindow()) {
      low = image.windowCenter() - image.windowWidth() / 2;
      span = image.windowWidth();
    } else if (image.bitDepth() != RawImage.MODALITY_UNITS) {
      low = 0;
      span = Math.pow(2, image.bitDepth()) - 1;
    } else {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double[] plane : image.channels()) {
        for (double v : plane) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      low = min;
      span = max - min;
    }
    double high = low + span;
    float[][] unit = new float[image.channels().length][];
    for (int c = 0; c < unit.length; c++) {
      double[] plane = image.channels()[c];
      float[] mapped = new float[plane.length];
      for (int i = 0; i < plane.length; i++) {
        // Division in double then one rounding to float equals float division of 8/16-bit samples exactly.
        mapped[i] = span > 0 ? (float) ((Math.max(low, Math.min(high, plane[i])) - low) / span) : 0f;
      }
      unit[c] = mapped;
    }
    return unit;
  }

  /** Step 2, in float and in this order so that PNG/JPEG input gives the same values as before this class. */
  private float[][] convert(float[][] source, int n) {
    if (source.length == channels) {
      return source;
    }
    if (channels == 3) {
      return new float[][] {source[0], source[0], source[0]};
    }
    float[] gray = new float[n];
    for (int i = 0; i < n; i++) {
      gray[i] = 0.299f * source[0][i] + 0.587f * source[1][i] + 0.114f * source[2][i];
    }
    return new float[][] {gray};
  }

  /** Step 3, "pad": aspect kept, image centred, margins filled with its minimum. */
  private void pad(float[][] planes, int sw, int sh, float[] out) {
    double scale = Math.min((double) width / sw, (double) height / sh);
    int innerWidth = Math.max(1, Math.min(width, (int) Math.round(sw * scale)));
    int innerHeight = Math.max(1, Math.min(height, (int) Math.round(sh * scale)));
    int left = (width - innerWidth) / 2;
    int top = (height - innerHeight) / 2;
    float fill = Float.POSITIVE_INFINITY;
    for (float[] plane : planes) {
      for (float v : plane) {
        fill = Math.min(fill, v);
      }
    }
    if (innerWidth < width || innerHeight < height) {
      Arrays.fill(out, fill);
    }
    int plane = width * height;
    for (int c = 0; c < channels; c++) {
      Bilinear.resize(planes[c], sw, sh, out, c * plane + top * width + left, width, innerWidth, innerHeight);
    }
  }
}
