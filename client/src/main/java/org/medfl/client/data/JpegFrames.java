package org.medfl.client.data;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Frames of JPEG pixel data ({@link EncapsulatedFrames} collects each frame's fragments): Baseline (transfer syntax
 * 1.2.840.10008.1.2.4.50, 8-bit lossy) and Lossless Process 14 (1.2.840.10008.1.2.4.57 and .70, 2 to 16 bits gray,
 * 8-bit colour), both through TwelveMonkeys ImageIO's JPEG reader, which hands baseline streams to the JDK's
 * decoder (IJG libjpeg) and decodes lossless ones itself. Samples are returned as stored in the stream, without
 * colour conversion: YBR_FULL stays YCbCr, as pydicom's {@code pixel_array} gives it (see {@link DicomUnitScale} for
 * the conversion to RGB). A stream whose own markers contradict the header (its colour, its size, or a lossy process
 * under a lossless transfer syntax) is refused rather than guessed.
 */
final class JpegFrames {

  /** How to make a file this class cannot decode readable: the end of every refusal. */
  static final String CONVERT = "; convert it with gdcm's 'gdcmconv --raw IN OUT' or dcmtk's 'dcmdjpeg IN OUT'";

  /** Start-of-frame marker of the lossless process (SOF3); Baseline is SOF0, extended sequential SOF1. */
  private static final int SOF_LOSSLESS = 0xC3;

  private JpegFrames() {}

  /**
   * Decodes one frame into {@code rows * columns * samples} values, a pixel's samples side by side.
   *
   * @param lossless whether the transfer syntax is JPEG Lossless; the stream's own process must agree
   * @param photometric the header's Photometric Interpretation, checked against the stream's own colour markers
   * @param bitsStored Bits Stored, applied with {@code signed} as for uncompressed data (a lossless stream holds the
   *     stored bit pattern, two's complement included, as unsigned samples of its precision)
   */
  static double[] decode(byte[] jpeg, boolean lossless, int rows, int columns, int samples, String photometric,
      int bitsStored, boolean signed) throws DicomReader.RefusedException {
    int process = startOfFrame(jpeg);
    if (lossless != (process == SOF_LOSSLESS)) {
      // A lossy stream under a lossless syntax would be decoded without complaint, and the site would believe
      // its images exact; the reverse is a mislabelled file too.
      throw new DicomReader.RefusedException("the transfer syntax says JPEG " + (lossless ? "Lossless" : "Baseline")
          + " but the stream is " + (process == SOF_LOSSLESS ? "lossless" : process < 0 ? "missing its frame header"
          : String.format("process SOF%d", process - 0xC0)) + CONVERT);
    }
    String streamColour = streamColour(jpeg);
    if (samples == 3 && "YCbCr".equals(streamColour) && photometric.equals("RGB")
        || samples == 3 && "RGB".equals(streamColour) && photometric.startsWith("YBR")) {
      throw new DicomReader.RefusedException("the JPEG stream is " + streamColour + " but Photometric "
          + "Interpretation says " + photometric + ", so its colours are ambiguous" + CONVERT);
    }
    byte[] stream = lossless ? padBeforeEnd(jpeg) : jpeg;
    ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(stream))) {
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
        out[i] = DicomReader.storedValue(values[i], bitsStored, signed);
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
   * {@code jpeg} with three bytes of one-bits (each 0xFF stuffed as 0xFF 0x00, so still entropy-coded data) before
   * its end-of-image marker, fill bytes before that marker dropped. Why: TwelveMonkeys 3.14.0's lossless decoder
   * reads ahead while decoding the last sample, and when the lookahead reaches the end-of-image marker it returns
   * the marker instead of that sample, which then stays 0 (found by {@code DicomJpegLosslessTest}: the last pixel of
   * some dcmtk-encoded colour frames). The padding gives the lookahead data to read; a decoder stops after the last
   * sample, so bits after it change nothing. Streams with restart intervals (a DRI segment) are left as they are:
   * there each interval ends in a marker, and the decoder reads a fixed number of samples before expecting it.
   */
  static byte[] padBeforeEnd(byte[] jpeg) {
    int end = jpeg.length - 2;
    if (end < 4 || (jpeg[end] & 0xff) != 0xFF || (jpeg[end + 1] & 0xff) != 0xD9 || hasRestartInterval(jpeg)) {
      return jpeg;
    }
    while (end > 2 && (jpeg[end - 1] & 0xff) == 0xFF) {
      end--; // fill bytes, which may precede any marker
    }
    byte[] padded = Arrays.copyOf(jpeg, end + 8);
    for (int i = 0; i < 3; i++) {
      padded[end + 2 * i] = (byte) 0xFF;
      padded[end + 2 * i + 1] = 0;
    }
    padded[end + 6] = (byte) 0xFF;
    padded[end + 7] = (byte) 0xD9;
    return padded;
  }

  /** Whether a DRI segment before the first scan sets a non-zero restart interval. */
  private static boolean hasRestartInterval(byte[] jpeg) {
    for (Segment seg : headerSegments(jpeg)) {
      if (seg.marker == 0xDD && seg.body + 2 <= jpeg.length
          && ((jpeg[seg.body] & 0xff) << 8 | (jpeg[seg.body + 1] & 0xff)) != 0) {
        return true;
      }
    }
    return false;
  }

  /** The stream's start-of-frame marker (0xC0 to 0xCF, bar DHT 0xC4, JPG 0xC8 and DAC 0xCC), or -1 if none. */
  static int startOfFrame(byte[] jpeg) {
    for (Segment seg : headerSegments(jpeg)) {
      if (isStartOfFrame(seg.marker)) {
        return seg.marker;
      }
    }
    return -1;
  }

  private static boolean isStartOfFrame(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
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
    for (Segment seg : headerSegments(jpeg)) {
      int body = seg.body;
      if (seg.marker == 0xE0 && body + 4 <= jpeg.length) {
        jfif |= jpeg[body] == 'J' && jpeg[body + 1] == 'F' && jpeg[body + 2] == 'I' && jpeg[body + 3] == 'F';
      } else if (seg.marker == 0xEE && body + 12 <= jpeg.length && jpeg[body] == 'A' && jpeg[body + 1] == 'd') {
        adobeTransform = jpeg[body + 11] & 0xff;
      } else if (isStartOfFrame(seg.marker) && body + 6 + 9 <= jpeg.length && (jpeg[body + 5] & 0xff) == 3) {
        int first = jpeg[body + 7] & 0xff;
        namedRgb = jpeg[body + 6] == 'R' && jpeg[body + 9] == 'G' && jpeg[body + 12] == 'B';
        subsampled = (jpeg[body + 10] & 0xff) != first || (jpeg[body + 13] & 0xff) != first;
      }
    }
    boolean saysYcc = jfif || adobeTransform >= 1 || adobeTransform < 0 && subsampled;
    boolean saysRgb = adobeTransform == 0 || namedRgb;
    return saysYcc == saysRgb ? null : saysYcc ? "YCbCr" : "RGB";
  }

  /** One marker segment of the stream's header: its marker and where its body (after the length) starts. */
  private record Segment(int marker, int body) {}

  /** The marker segments from after SOI up to and including the first scan header (SOS), in stream order. */
  private static java.util.List<Segment> headerSegments(byte[] jpeg) {
    var segments = new ArrayList<Segment>();
    int i = 2;
    while (i + 4 <= jpeg.length && (jpeg[i] & 0xff) == 0xFF) {
      int marker = jpeg[i + 1] & 0xff;
      segments.add(new Segment(marker, i + 4));
      if (marker == 0xDA) {
        break;
      }
      i += 2 + ((jpeg[i + 2] & 0xff) << 8 | (jpeg[i + 3] & 0xff));
    }
    return segments;
  }
}
