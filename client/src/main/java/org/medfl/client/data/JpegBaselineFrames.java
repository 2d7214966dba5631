package org.medfl.client.data;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Frames of JPEG Baseline pixel data (transfer syntax 1.2.840.10008.1.2.4.50; {@link EncapsulatedFrames} collects
 * each frame's fragments), decoded by the JDK's JPEG reader ({@code javax.imageio}, built on IJG libjpeg). Samples
 * are returned as stored in the JPEG stream, without colour conversion: YBR_FULL stays YCbCr, as pydicom's
 * {@code pixel_array} gives it (see {@link DicomUnitScale} for the conversion to RGB). A stream whose own markers
 * contradict the header's Photometric Interpretation is refused rather than guessed.
 */
final class JpegBaselineFrames {

  /** How to make a file this class cannot decode readable: the end of every refusal. */
  static final String CONVERT = "; convert it with gdcm's 'gdcmconv --raw IN OUT' or dcmtk's 'dcmdjpeg IN OUT'";

  private JpegBaselineFrames() {}

  /**
   * Decodes one frame into {@code rows * columns * samples} values, a pixel's samples side by side.
   *
   * @param photometric the header's Photometric Interpretation, checked against the stream's own colour markers
   */
  static double[] decode(byte[] jpeg, int rows, int columns, int samples, String photometric)
      throws DicomReader.RefusedException {
    String streamColour = streamColour(jpeg);
    if (samples == 3 && "YCbCr".equals(streamColour) && photometric.equals("RGB")
        || samples == 3 && "RGB".equals(streamColour) && photometric.startsWith("YBR")) {
      throw new DicomReader.RefusedException("the JPEG stream is " + streamColour + " but Photometric "
          + "Interpretation says " + photometric + ", so its colours are ambiguous" + CONVERT);
    }
    ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
      reader.setInput(in, true, true);
      // The stream's own size is checked before decoding: the header's rows x columns passed --max-pixels, but a
      // hostile stream could claim far more and make the decoder allocate it.
      if (reader.getWidth(0) != columns || reader.getHeight(0) != rows) {
        throw new DicomReader.RefusedException("the JPEG stream is " + reader.getWidth(0) + "x" + reader.getHeight(0)
            + " but the header says " + columns + "x" + rows + CONVERT);
      }
      var warnings = new ArrayList<String>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      Raster raster = reader.readRaster(0, null);
      if (!warnings.isEmpty()) {
        throw new DicomReader.RefusedException("damaged or truncated JPEG data: the decoder warned" + CONVERT);
      }
      if (raster.getWidth() != columns || raster.getHeight() != rows || raster.getNumBands() != samples) {
        throw new DicomReader.RefusedException("the JPEG stream is " + raster.getWidth() + "x" + raster.getHeight()
            + " with " + raster.getNumBands() + " components but the header says " + columns + "x" + rows
            + " with " + samples);
      }
      int[] values = raster.getPixels(raster.getMinX(), raster.getMinY(), columns, rows, (int[]) null);
      double[] out = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = values[i];
      }
      return out;
    } catch (IOException | RuntimeException e) {
      // The decoder's message is left out, as for PNG/JPEG files: it is not worth echoing file content.
      throw new DicomReader.RefusedException("JPEG data cannot be decoded (" + e.getClass().getSimpleName() + ")"
          + CONVERT);
    } finally {
      reader.dispose();
    }
  }

  /**
   * What the stream's markers say about its colour: "YCbCr" (a JFIF marker, an Adobe marker with a transform, or
   * subsampled chroma without an Adobe marker), "RGB" (an Adobe marker without transform, or components named R, G,
   * B), or null when they say nothing or contradict each other.
   */
  static String streamColour(byte[] jpeg) {
    boolean jfif = false;
    int adobeTransform = -1;
    boolean subsampled = false;
    boolean namedRgb = false;
    int i = 2;
    while (i + 4 <= jpeg.length && (jpeg[i] & 0xff) == 0xFF) {
      int marker = jpeg[i + 1] & 0xff;
      int length = (jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff);
      int body = i + 4;
      if (marker == 0xE0 && body + 4 <= jpeg.length) {
        jfif |= jpeg[body] == 'J' && jpeg[body + 1] == 'F' && jpeg[body + 2] == 'I' && jpeg[body + 3] == 'F';
      } else if (marker == 0xEE && body + 12 <= jpeg.length && jpeg[body] == 'A' && jpeg[body + 1] == 'd') {
        adobeTransform = jpeg[body + 11] & 0xff;
      } else if ((marker == 0xC0 || marker == 0xC1) && body + 6 <= jpeg.length) {
        int components = jpeg[body + 5] & 0xff;
        if (components == 3 && body + 6 + 9 <= jpeg.length) {
          int first = jpeg[body + 7] & 0xff;
          namedRgb = jpeg[body + 6] == 'R' && jpeg[body + 9] == 'G' && jpeg[body + 12] == 'B';
          subsampled = (jpeg[body + 10] & 0xff) != first || (jpeg[body + 13] & 0xff) != first;
        }
      } else if (marker == 0xDA) {
        break;
      }
      i += 2 + length;
    }
    boolean saysYcc = jfif || adobeTransform >= 1 || adobeTransform < 0 && subsampled;
    boolean saysRgb = adobeTransform == 0 || namedRgb;
    return saysYcc == saysRgb ? null : saysYcc ? "YCbCr" : "RGB";
  }
}
