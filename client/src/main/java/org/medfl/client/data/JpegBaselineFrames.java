package org.medfl.client.data;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Encapsulated JPEG Baseline pixel data (transfer syntax 1.2.840.10008.1.2.4.50): the fragments of each frame
 * (PS3.5 section A.4), decoded by the JDK's JPEG reader ({@code javax.imageio}, built on IJG libjpeg). Samples
 * are returned as stored in the JPEG stream, without colour conversion: YBR_FULL stays YCbCr, as pydicom's
 * {@code pixel_array} gives it (see {@link DicomUnitScale} for the conversion to RGB). A stream whose own markers
 * contradict the header's Photometric Interpretation is refused rather than guessed.
 */
final class JpegBaselineFrames {

  private static final int ITEM = 0xFFFEE000;
  private static final int SEQUENCE_END = 0xFFFEE0DD;
  /** More fragments than any real file has; the list of them must not grow with a hostile file's size. */
  private static final int MAX_FRAGMENTS = 100_000;
  private static final String CONVERT = "; convert it with gdcm's 'gdcmconv --raw IN OUT' or dcmtk's 'dcmdjpeg IN OUT'";

  private JpegBaselineFrames() {}

  /** One fragment: where its bytes start in the file, how many, and its offset as the Basic Offset Table counts. */
  private record Fragment(long position, int length, long tableOffset) {}

  /**
   * The JPEG bytes of the frames {@code wanted} (0-based) out of {@code frameCount}, from the pixel data value at
   * {@code offset}: all fragments for a single frame, one fragment per frame, or the Basic Offset Table's grouping.
   */
  static List<byte[]> read(FileChannel channel, long offset, int frameCount, int[] wanted)
      throws IOException, DicomReader.RefusedException {
    long position = offset;
    long[] table = null;
    List<Fragment> fragments = new ArrayList<>();
    long firstFragment = -1;
    while (true) {
      ByteBuffer head = readAt(channel, position, 8);
      int tag = (head.getShort(0) & 0xffff) << 16 | (head.getShort(2) & 0xffff);
      long length = Integer.toUnsignedLong(head.getInt(4));
      position += 8;
      if (tag == SEQUENCE_END) {
        break;
      }
      if (tag != ITEM || length > Integer.MAX_VALUE || position + length > channel.size()) {
        throw new DicomReader.RefusedException("corrupt or truncated encapsulated pixel data (item "
            + (fragments.size() + 1) + ")" + CONVERT);
      }
      if (table == null) {
        table = offsetTable(readAt(channel, position, (int) length));
        firstFragment = position + length;
      } else {
        if (fragments.size() == MAX_FRAGMENTS) {
          throw new DicomReader.RefusedException("more than " + MAX_FRAGMENTS + " JPEG fragments" + CONVERT);
        }
        fragments.add(new Fragment(position, (int) length, position - 8 - firstFragment));
      }
      position += length;
    }
    if (fragments.isEmpty()) {
      throw new DicomReader.RefusedException("encapsulated pixel data holds no JPEG fragments" + CONVERT);
    }
    List<byte[]> frames = new ArrayList<>();
    for (int frame : wanted) {
      frames.add(concatenate(channel, fragmentsOf(frame, frameCount, fragments, table)));
    }
    return frames;
  }

  private static List<Fragment> fragmentsOf(int frame, int frameCount, List<Fragment> fragments, long[] table)
      throws DicomReader.RefusedException {
    if (frameCount == 1) {
      return fragments;
    }
    if (fragments.size() == frameCount) {
      return List.of(fragments.get(frame));
    }
    if (table.length == frameCount) {
      long from = table[frame];
      long to = frame + 1 < frameCount ? table[frame + 1] : Long.MAX_VALUE;
      List<Fragment> mine = fragments.stream().filter(f -> f.tableOffset() >= from && f.tableOffset() < to).toList();
      if (!mine.isEmpty() && mine.get(0).tableOffset() == from) {
        return mine;
      }
    }
    throw new DicomReader.RefusedException(fragments.size() + " JPEG fragments for " + frameCount
        + " frames and no Basic Offset Table that divides them" + CONVERT);
  }

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

  private static long[] offsetTable(ByteBuffer table) {
    long[] offsets = new long[table.remaining() / 4];
    for (int k = 0; k < offsets.length; k++) {
      offsets[k] = Integer.toUnsignedLong(table.getInt(4 * k));
    }
    return offsets;
  }

  private static byte[] concatenate(FileChannel channel, List<Fragment> fragments) throws IOException,
      DicomReader.RefusedException {
    var out = new ByteArrayOutputStream();
    for (Fragment f : fragments) {
      ByteBuffer bytes = readAt(channel, f.position(), f.length());
      out.write(bytes.array(), 0, f.length());
    }
    return out.toByteArray();
  }

  private static ByteBuffer readAt(FileChannel channel, long position, int count)
      throws IOException, DicomReader.RefusedException {
    if (position + count > channel.size()) {
      throw new DicomReader.RefusedException("file is truncated inside its encapsulated pixel data" + CONVERT);
    }
    ByteBuffer buffer = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new DicomReader.RefusedException("file is truncated inside its encapsulated pixel data" + CONVERT);
      }
    }
    return buffer.flip();
  }
}
