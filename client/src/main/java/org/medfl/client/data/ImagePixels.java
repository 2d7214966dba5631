package org.medfl.client.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.medfl.client.preprocess.Preprocessor;
import org.medfl.client.preprocess.RawImage;
import org.medfl.common.job.PreprocessingSpec;
import org.medfl.common.job.WindowSpec;

/**
 * Decodes one PNG or JPEG file into its raw samples, before any preprocessing.
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
   * The raw samples of {@code file}: 1 plane for gray images, 3 (R, G, B) otherwise, with the file's bit depth;
   * {@link org.medfl.client.preprocess.Preprocessor} turns them into model input.
   */
  static RawImage read(Path file) throws UnreadableImageException {
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
    return planes(image);
  }

  /**
   * Planes already mapped to [0, 1] (by {@link DicomUnitScale}), converted to {@code channels} and bilinear-stretched
   * to {@code width x height} through the shared {@link Preprocessor}: an identity window of [0, 1] keeps the values.
   */
  static float[] fit(float[][] source, int sourceWidth, int sourceHeight, int width, int height, int channels) {
    double[][] planes = new double[source.length][];
    for (int c = 0; c < source.length; c++) {
      planes[c] = new double[source[c].length];
      for (int i = 0; i < source[c].length; i++) {
        planes[c][i] = source[c][i];
      }
    }
    Preprocessor identity = new Preprocessor(new PreprocessingSpec("stretch", new WindowSpec(null, null, true),
        "unit", 0, 1), width, height, channels);
    return identity.apply(new RawImage(planes, sourceHeight, sourceWidth, RawImage.MODALITY_UNITS, 0.5, 1.0));
  }

  /** The image as 1 (gray) or 3 (RGB) planes of raw samples at its own size; alpha is dropped. */
  private static RawImage planes(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    if (image.getColorModel() instanceof ComponentColorModel cm
        && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      double[] gray = new double[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          gray[y * w + x] = raster.getSample(x, y, 0);
        }
      }
      return RawImage.unsigned(new double[][] {gray}, h, w, cm.getComponentSize(0));
    }
    // One bit depth for all three bands; the rare files with unequal band sizes go through getRGB below.
    if (image.getColorModel() instanceof ComponentColorModel cm && cm.getColorSpace().isCS_sRGB()
        && cm.getNumColorComponents() == 3 && cm.getComponentSize(1) == cm.getComponentSize(0)
        && cm.getComponentSize(2) == cm.getComponentSize(0)) {
      double[][] rgb = new double[3][w * h];
      for (int b = 0; b < 3; b++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            rgb[b][y * w + x] = raster.getSample(x, y, b);
          }
        }
      }
      return RawImage.unsigned(rgb, h, w, cm.getComponentSize(0));
    }
    // Palette and packed-RGB images are sRGB already, so getRGB returns their values unchanged.
    double[][] rgb = new double[3][w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = image.getRGB(x, y);
        rgb[0][y * w + x] = (argb >> 16) & 0xff;
        rgb[1][y * w + x] = (argb >> 8) & 0xff;
        rgb[2][y * w + x] = argb & 0xff;
      }
    }
    return RawImage.unsigned(rgb, h, w, 8);
  }
}
