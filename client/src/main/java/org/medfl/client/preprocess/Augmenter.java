package org.medfl.client.preprocess;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.medfl.common.job.AugmentationSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random changes to training images, per image of a batch: horizontal and vertical flips (each with
 * probability 0.5 when enabled), then rotation, shift and zoom about the image centre in one bilinear
 * resampling (pixels from outside the image take the image's minimum), then brightness
 * (+- {@code brightness} times the image's value range) and contrast (deviations from the image mean scaled by
 * 1 +- {@code contrast}). Each amount is drawn uniformly within the spec's bounds. The result is clamped to the
 * image's own min..max before augmentation, so [0, 1] input stays in [0, 1], and z-scored input keeps its range.
 *
 * <p>Deterministic: the draws for a batch depend only on the seed, round, epoch and batch index, so the same
 * inputs give the same batch, and another round gives other changes. Stateless and thread-safe.
 */
public final class Augmenter {

  /** Odd multiplier to fold the draw's coordinates into one seed (the 64-bit golden ratio). */
  private static final long MIX = 0x9E3779B97F4A7C15L;

  private final AugmentationSpec spec;
  private final long seed;

  /**
   * @param spec the job's augmentation section; {@link AugmentationSpec#none()} changes nothing
   * @param seed the job's seed
   */
  public Augmenter(AugmentationSpec spec, long seed) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.seed = seed;
  }

  /** True when {@link #augmentBatchInPlace} never changes anything. */
  public boolean isIdentity() {
    return spec.isNone();
  }

  /**
   * A changed copy of an NCHW float batch; the batch itself is untouched.
   *
   * @see #augmentBatchInPlace
   */
  public INDArray augmentBatch(INDArray batch, int round, int epoch, int batchIndex) {
    if (batch.rank() != 4) {
      throw new IllegalArgumentException("need an NCHW batch, got shape " + Arrays.toString(batch.shape()));
    }
    long[] shape = batch.shape();
    float[] values = batch.castTo(DataType.FLOAT).dup('c').data().asFloat();
    augmentBatchInPlace(values, (int) shape[0], (int) shape[1], (int) shape[2], (int) shape[3], round, epoch,
        batchIndex);
    return Nd4j.create(values, shape, 'c');
  }

  /**
   * Changes each of the {@code images} images of {@code nchw} in place.
   *
   * @param nchw {@code images x channels x height x width} values, row-major
   * @param round federated round, epoch (1, 2, ...) and batchIndex (0, 1, ... within the epoch) pick the draws
   */
  public void augmentBatchInPlace(float[] nchw, int images, int channels, int height, int width, int round,
      int epoch, int batchIndex) {
    if (nchw.length != (long) images * channels * height * width) {
      throw new IllegalArgumentException(nchw.length + " values do not hold " + images + "x" + channels + "x"
          + height + "x" + width);
    }
    if (spec.isNone()) {
      return;
    }
    var rnd = new SplittableRandom(((seed * MIX + round) * MIX + epoch) * MIX + batchIndex);
    int size = channels * height * width;
    float[] scratch = new float[height * width];
    for (int i = 0; i < images; i++) {
      // Every draw is made for every image, enabled or not, so one setting never shifts another's randomness.
      boolean flipH = rnd.nextBoolean() && spec.flipHorizontal();
      boolean flipV = rnd.nextBoolean() && spec.flipVertical();
      double angle = Math.toRadians(symmetric(rnd, spec.rotationDegrees()));
      double dx = symmetric(rnd, spec.shift()) * width;
      double dy = symmetric(rnd, spec.shift()) * height;
      double zoom = 1 + symmetric(rnd, spec.zoom());
      double brightness = symmetric(rnd, spec.brightness());
      double contrast = 1 + symmetric(rnd, spec.contrast());

      int offset = i * size;
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int k = offset; k < offset + size; k++) {
        min = Math.min(min, nchw[k]);
        max = Math.max(max, nchw[k]);
      }
      for (int c = 0; c < channels; c++) {
        int plane = offset + c * height * width;
        flip(nchw, plane, height, width, flipH, flipV);
        if (angle != 0 || dx != 0 || dy != 0 || zoom != 1) {
          transform(nchw, plane, height, width, angle, dx, dy, zoom, min, scratch);
        }
      }
      if (brightness != 0 || contrast != 1) {
        double sum = 0;
        for (int k = offset; k < offset + size; k++) {
          sum += nchw[k];
        }
        double mean = sum / size;
        double shift = brightness * (max - min);
        for (int k = offset; k < offset + size; k++) {
          double v = (nchw[k] - mean) * contrast + mean + shift;
          nchw[k] = (float) Math.max(min, Math.min(max, v));
        }
      }
    }
  }

  /** Uniform in [-bound, bound]; always one draw, so the sequence does not depend on which bounds are zero. */
  private static double symmetric(SplittableRandom rnd, double bound) {
    return bound * (2 * rnd.nextDouble() - 1);
  }

  private static void flip(float[] a, int plane, int height, int width, boolean horizontal, boolean vertical) {
    if (horizontal) {
      for (int y = 0; y < height; y++) {
        int row = plane + y * width;
        for (int x = 0; x < width / 2; x++) {
          swap(a, row + x, row + width - 1 - x);
        }
      }
    }
    if (vertical) {
      for (int y = 0; y < height / 2; y++) {
        for (int x = 0; x < width; x++) {
          swap(a, plane + y * width + x, plane + (height - 1 - y) * width + x);
        }
      }
    }
  }

  /**
   * Rotates by {@code angle} (radians), zooms by {@code zoom} and shifts by (dx, dy) pixels about the centre:
   * each output pixel reads the source position that the inverse transform maps it to.
   */
  private static void transform(float[] a, int plane, int height, int width, double angle, double dx, double dy,
      double zoom, float fill, float[] scratch) {
    System.arraycopy(a, plane, scratch, 0, height * width);
    double cx = (width - 1) / 2.0;
    double cy = (height - 1) / 2.0;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double u = (x - cx - dx) / zoom;
        double v = (y - cy - dy) / zoom;
        double sx = cos * u + sin * v + cx;
        double sy = -sin * u + cos * v + cy;
        a[plane + y * width + x] = Bilinear.sample(scratch, 0, width, height, sx, sy, fill);
      }
    }
  }

  private static void swap(float[] a, int i, int j) {
    float t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
