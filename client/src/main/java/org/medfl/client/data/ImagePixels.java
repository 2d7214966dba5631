package org.medfl.client.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Decodes one image file into planar float pixels in [0, 1] of a requested size and channel count.
 * Reads raw raster samples where it can, because {@code BufferedImage.getRGB} applies a gamma curve to
 * grayscale images and would brighten every medical gray-scale scan.
 */
final class ImagePixels {

  private ImagePixels() {}

  /** Why {@link #read} refused a file; the message is the reason shown to the operator. */
  static final class UnreadableImageException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableImageException(String reason) {
      super(reason);
    }
  }

  /**
   * Pixels of {@code file} as {@code channels} planes of {@code height x width}, bilinear-resized; one channel
   * means luminance (ITU-R BT.601 weights), three means RGB (a gray source is repeated).
   */
  static float[] read(Path file, int width, int height, int channels) throws UnreadableImageException {
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      // Decoders throw unchecked exceptions on some corrupt files too; neither may stop the whole load.
      throw new UnreadableImageException("not a readable image (" + e.getClass().getSimpleName() + ")");
    }
    if (image == null) {
      throw new UnreadableImageException("not a readable image");
    }
    if (image.getWidth() < 1 || image.getHeight() < 1) {
      throw new UnreadableImageException("image has no pixels");
    }
    return fit(planes(image), image.getWidth(), image.getHeight(), width, height, channels);
  }

  /**
   * Gray or RGB planes of {@code sourceWidth x sourceHeight}, converted to {@code channels} planes (see
   * {@link #read}) and bilinear-resized to {@code width x height}; shared with {@link DicomSource}.
   */
  static float[] fit(float[][] source, int sourceWidth, int sourceHeight, int width, int height, int channels) {
    float[][] converted = convert(source, channels, sourceWidth * sourceHeight);
    float[] out = new float[channels * width * height];
    for (int c = 0; c < channels; c++) {
      resize(converted[c], sourceWidth, sourceHeight, out, c * width * height, width, height);
    }
    return out;
  }

  /** The image as 1 (gray) or 3 (RGB) planes at its own size; alpha is dropped. */
  private static float[][] planes(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    if (image.getColorModel() instanceof ComponentColorModel cm
        && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      float max = (1 << cm.getComponentSize(0)) - 1;
      float[] gray = new float[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          gray[y * w + x] = raster.getSample(x, y, 0) / max;
        }
      }
      return new float[][] {gray};
    }
    if (image.getColorModel() instanceof ComponentColorModel cm && cm.getColorSpace().isCS_sRGB()
        && cm.getNumColorComponents() == 3) {
      float[][] rgb = new float[3][w * h];
      for (int b = 0; b < 3; b++) {
        float max = (1 << cm.getComponentSize(b)) - 1;
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            rgb[b][y * w + x] = raster.getSample(x, y, b) / max;
          }
        }
      }
      return rgb;
    }
    // Palette and packed-RGB images are sRGB already, so getRGB returns their values unchanged.
    float[][] rgb = new float[3][w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = image.getRGB(x, y);
        rgb[0][y * w + x] = ((argb >> 16) & 0xff) / 255f;
        rgb[1][y * w + x] = ((argb >> 8) & 0xff) / 255f;
        rgb[2][y * w + x] = (argb & 0xff) / 255f;
      }
    }
    return rgb;
  }

  private static float[][] convert(float[][] source, int channels, int n) {
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

  /** Bilinear resampling with pixel centres aligned, as most image libraries do; edges are clamped. */
  private static void resize(float[] src, int sw, int sh, float[] dst, int offset, int dw, int dh) {
    if (sw == dw && sh == dh) {
      System.arraycopy(src, 0, dst, offset, sw * sh);
      return;
    }
    float scaleX = (float) sw / dw;
    float scaleY = (float) sh / dh;
    for (int y = 0; y < dh; y++) {
      float sy = Math.max(0f, Math.min(sh - 1f, (y + 0.5f) * scaleY - 0.5f));
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, sh - 1);
      float fy = sy - y0;
      for (int x = 0; x < dw; x++) {
        float sx = Math.max(0f, Math.min(sw - 1f, (x + 0.5f) * scaleX - 0.5f));
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, sw - 1);
        float fx = sx - x0;
        float top = src[y0 * sw + x0] + fx * (src[y0 * sw + x1] - src[y0 * sw + x0]);
        float bottom = src[y1 * sw + x0] + fx * (src[y1 * sw + x1] - src[y1 * sw + x0]);
        dst[offset + y * dw + x] = top + fy * (bottom - top);
      }
    }
  }
}
