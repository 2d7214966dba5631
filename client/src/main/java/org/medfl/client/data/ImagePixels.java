package org.medfl.client.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
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
   *
   * @param maxPixels the largest width x height decoded (see {@link #decode})
   */
  static RawImage read(Path file, long maxPixels) throws UnreadableImageException {
    BufferedImage image = decode(file, maxPixels);
    try {
      return planes(image);
    } catch (OutOfMemoryError e) {
      throw new UnreadableImageException(tooLargeForMemory(image.getWidth(), image.getHeight()));
    }
  }

  /**
   * Decodes a PNG or JPEG file, refusing, with the reason as the message: content that is neither (whatever the
   * name says), an image whose header claims more than {@code maxPixels} pixels (read from the header, before a
   * single pixel is decoded: a few kilobytes of PNG can claim gigapixels), and a file the decoder warns about (a
   * JPEG cut short decodes without an error, its missing part filled with gray, and only warns "Premature end of
   * JPEG file").
   *
   * @param maxPixels the largest width x height decoded
   */
  static BufferedImage decode(Path file, long maxPixels) throws UnreadableImageException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new UnreadableImageException("cannot open the file");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new UnreadableImageException("not a PNG or JPEG image (its content has no known image signature)");
      }
      ImageReader reader = readers.next();
      try {
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        if (!format.equals("PNG") && !format.equals("JPEG")) {
          throw new UnreadableImageException("a " + format + " image, not PNG or JPEG; convert it to PNG");
        }
        // ignoreMetadata: text and profile chunks are not needed, and compressed text can be a bomb of its own.
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width < 1 || height < 1) {
          throw new UnreadableImageException("image has no pixels");
        }
        if ((long) width * height > maxPixels) {
          throw new UnreadableImageException(tooLarge(width + "x" + height, (long) width * height, maxPixels));
        }
        var warnings = new ArrayList<String>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image;
        try {
          image = reader.read(0);
        } catch (IOException | RuntimeException e) {
          // Past the header, a decoder fails on data cut short or damaged, or on a variant it lacks (CMYK JPEG).
          throw new UnreadableImageException("damaged, truncated or unsupported image data ("
              + e.getClass().getSimpleName() + ")");
        } catch (OutOfMemoryError e) {
          throw new UnreadableImageException(tooLargeForMemory(width, height));
        }
        if (!warnings.isEmpty()) {
          throw new UnreadableImageException("damaged or truncated image: the " + format + " decoder warned '"
              + oneLine(warnings.get(0)) + "'");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      // Decoders throw unchecked exceptions on some corrupt headers too; neither may stop the whole load. The
      // exception's message is left out: it is the decoder's, and not worth the risk of echoing file content.
      throw new UnreadableImageException("not a readable image (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The reason for refusing an image of {@code pixels} pixels, the same for PNG, JPEG and DICOM. */
  static String tooLarge(String size, long pixels, long maxPixels) {
    return String.format(Locale.ROOT, "image is %s = %,d pixels, above this site's limit of %,d (--max-pixels); "
        + "not decoded", size, pixels, maxPixels);
  }

  private static String tooLargeForMemory(int width, int height) {
    return "image of " + width + "x" + height + " does not fit in this JVM's memory (raise -Xmx or lower "
        + "--max-pixels)";
  }

  /** A decoder's warning, first line only and cut to 100 characters, so that a report line stays one line. */
  private static String oneLine(String warning) {
    String line = warning == null ? "" : warning.lines().findFirst().orElse("").strip();
    return line.length() > 100 ? line.substring(0, 100) + "..." : line;
  }

  /**
   * Planes already mapped to [0, 1] (by {@link DicomUnitScale}), converted to {@code channels}, resized to
   * {@code width x height} and normalised as {@code job} says, through the shared {@link Preprocessor}: an identity
   * window of [0, 1] keeps the values, so the job's own window is not applied twice.
   */
  static float[] fit(float[][] source, int sourceWidth, int sourceHeight, int width, int height, int channels,
      PreprocessingSpec job) {
    double[][] planes = new double[source.length][];
    for (int c = 0; c < source.length; c++) {
      planes[c] = new double[source[c].length];
      for (int i = 0; i < source[c].length; i++) {
        planes[c][i] = source[c][i];
      }
    }
    Preprocessor identity = new Preprocessor(new PreprocessingSpec(job.resize(), new WindowSpec(null, null, true),
        job.normalize(), job.mean(), job.std()), width, height, channels);
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
