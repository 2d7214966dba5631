package org.medfl.client.data;

import ij.io.FileInfo;
import ij.io.ImageReader;
import ij.plugin.DICOM;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.medfl.common.job.JobSpec;

/**
 * Decodes DICOM Part 10 files with ImageJ's DICOM decoder ({@code net.imagej:ij}); see docs/dicom.md for why that
 * library and what it cannot do. ImageJ parses the header (explicit and implicit VR, little and big endian) and
 * reads the raw samples; this class adds what a training pipeline needs and ImageJ leaves to its viewer or gets
 * wrong quietly: it checks the transfer syntax first, checks that the pixel data element really holds
 * rows x columns x samples x frames values, masks Bits Stored, applies the sign and the modality rescale, and picks
 * frames. Compressed pixel data ImageJ cannot read is decoded here: JPEG Baseline and JPEG Lossless
 * ({@link JpegFrames}), RLE Lossless ({@link RleFrames}) and deflated data sets ({@link DeflatedDataSet}, then read
 * as uncompressed).
 * Whatever it cannot decode exactly is a {@link DicomSkip}, never an exception and never a guess.
 */
public final class DicomReader {

  /** {@link JobSpec#frames()} value: one image per file, its middle frame ({@code frameCount / 2}, 0-based). */
  public static final String MIDDLE = "middle";
  /** {@link JobSpec#frames()} value: every frame is an image. */
  public static final String ALL = "all";

  private static final int MODALITY = 0x00080060;
  private static final int PATIENT_ID = 0x00100020;
  private static final int SAMPLES_PER_PIXEL = 0x00280002;
  private static final int PHOTOMETRIC = 0x00280004;
  private static final int PLANAR_CONFIGURATION = 0x00280006;
  private static final int NUMBER_OF_FRAMES = 0x00280008;
  private static final int ROWS = 0x00280010;
  private static final int COLUMNS = 0x00280011;
  private static final int BITS_ALLOCATED = 0x00280100;
  private static final int BITS_STORED = 0x00280101;
  private static final int HIGH_BIT = 0x00280102;
  private static final int PIXEL_REPRESENTATION = 0x00280103;
  private static final int WINDOW_CENTER = 0x00281050;
  private static final int WINDOW_WIDTH = 0x00281051;
  private static final int RESCALE_INTERCEPT = 0x00281052;
  private static final int RESCALE_SLOPE = 0x00281053;
  private static final int MODALITY_LUT_SEQUENCE = 0x00283000;
  private static final int FLOAT_PIXEL_DATA = 0x7FE00008;
  private static final int DOUBLE_FLOAT_PIXEL_DATA = 0x7FE00009;
  private static final int PIXEL_DATA = 0x7FE00010;
  private static final String YBR_FULL_422 = "YBR_FULL_422";
  /** Integers up to 2^24 survive ImageJ's conversion of 32-bit samples to float exactly; larger ones may not. */
  private static final double FLOAT_EXACT = 1 << 24;
  /** Largest frame set decoded at once: 2^28 values are 2 GiB of doubles. */
  private static final long MAX_VALUES = 1L << 28;

  /** Why a file is refused; the message is the reason the operator sees. */
  static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedException(String reason) {
      super(reason);
    }
  }

  private final long maxPixels;

  /** A reader with {@link SiteData#DEFAULT_MAX_PIXELS}; it holds no state, so one instance can serve a folder. */
  public DicomReader() {
    this(SiteData.DEFAULT_MAX_PIXELS);
  }

  /**
   * A reader that refuses, from the header and before decoding, files whose frames to decode hold more than
   * {@code maxPixels} pixels in all: rows x columns for {@link #MIDDLE}, times Number of Frames for {@link #ALL}.
   *
   * @param maxPixels at least 1
   */
  public DicomReader(long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be at least 1, got " + maxPixels);
    }
    this.maxPixels = maxPixels;
  }

  /**
   * Decodes {@code file}.
   *
   * @param frames {@link #MIDDLE} or {@link #ALL} (a job's {@code frames})
   * @return the image, or a skip with a one-line reason; never throws for a bad file
   */
  public DicomResult read(Path file, String frames) {
    if (!JobSpec.FRAMES.contains(frames)) {
      throw new IllegalArgumentException("frames must be one of " + JobSpec.FRAMES + ", got '" + frames + "'");
    }
    try {
      return decode(file, frames);
    } catch (RefusedException | DicomFileMeta.NotPart10Exception e) {
      return new DicomSkip(file, e.getMessage());
    } catch (IOException e) {
      return new DicomSkip(file, "cannot read the file: " + e.getMessage());
    } catch (RuntimeException | OutOfMemoryError e) {
      // ImageJ's header parser throws unchecked exceptions, or allocates what a corrupt length claims, on
      // damaged files; one bad file must not stop a site from loading the others.
      return new DicomSkip(file, "corrupt DICOM header (" + e.getClass().getSimpleName() + ")");
    }
  }

  private DicomResult decode(Path file, String frameChoice)
      throws IOException, RefusedException, DicomFileMeta.NotPart10Exception {
    DicomFileMeta meta = DicomFileMeta.read(file);
    String syntax = meta.transferSyntaxUid();
    String refusal = TransferSyntax.refusal(syntax);
    if (refusal != null) {
      throw new RefusedException(refusal);
    }
    if (TransferSyntax.DEFLATED.equals(syntax)) {
      // Every sample at 4 bytes for 3 samples, plus room for the header: a data set larger than that cannot pass
      // the pixel limit anyway, so inflating further would only serve a deflate bomb.
      Path inflated = DeflatedDataSet.inflate(file, meta, maxPixels * 12 + (16L << 20));
      try {
        return ((DicomImage) decode(inflated, frameChoice)).from(file, syntax);
      } finally {
        Files.deleteIfExists(inflated);
      }
    }
    Codec codec = Codec.of(syntax);
    boolean encapsulated = codec != Codec.RAW;
    DicomTags tags;
    if (encapsulated) {
      // ImageJ stops after the meta group of compressed files, so their header is ours to parse.
      ExplicitVrHeader.Parsed header = ExplicitVrHeader.read(file);
      if (header.pixelDataOffset() >= 0 && header.pixelDataLength() >= 0) {
        throw new RefusedException("the transfer syntax says " + codec.label + " but the pixel data is "
            + "not encapsulated; rewrite it with gdcm's 'gdcmconv --raw IN OUT'");
      }
      tags = header.tags();
    } else {
      tags = DicomTags.parse(new DICOM().getInfo(file.toString()));
    }
    Layout layout = layout(tags, codec);
    // Only the frames that will be decoded count: a 300-slice volume read as its middle frame is one slice.
    long decodedFrames = frameChoice.equals(ALL) ? layout.frameCount : 1;
    long pixels = (long) layout.rows * layout.columns * decodedFrames;
    if (pixels > maxPixels) {
      throw new RefusedException(ImagePixels.tooLarge(layout.rows + "x" + layout.columns
          + (decodedFrames > 1 ? "x" + decodedFrames + " frames" : ""), pixels, maxPixels));
    }
    boolean bigEndian = TransferSyntax.bigEndian(syntax);
    if (!encapsulated) {
      checkPixelElement(file, layout, bigEndian);
    }

    int[] indices = frameChoice.equals(ALL)
        ? java.util.stream.IntStream.range(0, layout.frameCount).toArray()
        : new int[] {layout.frameCount / 2};
    if ((long) indices.length * layout.valuesPerFrame() > MAX_VALUES) {
      throw new RefusedException(layout.frameCount + " frames of " + layout.rows + "x" + layout.columns
          + " are too large to decode at once; use frames: middle");
    }
    Double slope = tags.decimal(RESCALE_SLOPE);
    Double intercept = tags.decimal(RESCALE_INTERCEPT);
    // As pydicom's apply_modality_lut: rescale only when both are present, in float64, multiply then add.
    boolean rescale = slope != null && intercept != null;
    List<double[]> decoded = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      List<byte[]> compressed = encapsulated ? EncapsulatedFrames.read(channel, layout.offset, layout.frameCount,
          indices, codec == Codec.RLE ? RleFrames.CONVERT : JpegFrames.CONVERT) : null;
      for (int k = 0; k < indices.length; k++) {
        int index = indices[k];
        double[] values;
        if (codec == Codec.JPEG_BASELINE || codec == Codec.JPEG_LOSSLESS) {
          values = JpegFrames.decode(compressed.get(k), codec == Codec.JPEG_LOSSLESS, layout.rows, layout.columns,
              layout.samples, layout.photometric, layout.bitsStored, layout.signed);
        } else if (codec == Codec.RLE) {
          values = RleFrames.decode(compressed.get(k), layout.rows, layout.columns, layout.samples,
              layout.bitsAllocated, layout.bitsStored, layout.signed);
        } else if (layout.bitsAllocated == 1) {
          values = bits(channel, layout, index);
        } else if (layout.subsampledChroma()) {
          values = expandSubsampledChroma(channel, layout, index);
        } else {
          channel.position(layout.offset + index * layout.bytesPerFrame());
          InputStream in = new BufferedInputStream(Channels.newInputStream(channel));
          values = samples(layout, new ImageReader(fileInfo(layout, bigEndian)).readPixels(in, 0L));
        }
        if (rescale) {
          for (int i = 0; i < values.length; i++) {
            values[i] = values[i] * slope + intercept;
          }
        }
        decoded.add(values);
      }
    }
    Double center = tags.decimal(WINDOW_CENTER);
    Double width = tags.decimal(WINDOW_WIDTH);
    boolean window = center != null && width != null && width > 0;
    return new DicomImage(file, layout.rows, layout.columns, layout.samples, layout.photometric,
        tags.text(MODALITY), tags.text(PATIENT_ID), window ? center : null, window ? width : null,
        layout.frameCount, indices, decoded, syntax);
  }

  /** Who decodes the pixel data of a transfer syntax that {@link TransferSyntax#refusal} let through. */
  private enum Codec {
    RAW("uncompressed"), JPEG_BASELINE("JPEG Baseline"), JPEG_LOSSLESS("JPEG Lossless"), RLE("RLE");

    final String label;

    Codec(String label) {
      this.label = label;
    }

    static Codec of(String syntax) {
      if (TransferSyntax.JPEG_BASELINE.equals(syntax)) {
        return JPEG_BASELINE;
      }
      if (TransferSyntax.jpegLossless(syntax)) {
        return JPEG_LOSSLESS;
      }
      return TransferSyntax.RLE.equals(syntax) ? RLE : RAW;
    }
  }

  /** What the header says the pixel data is, after refusing whatever is not decoded exactly here. */
  private record Layout(long offset, int rows, int columns, int samples, String photometric, int bitsAllocated,
      int bitsStored, boolean signed, boolean floats, boolean planar, int frameCount) {

    int valuesPerFrame() {
      return rows * columns * samples;
    }

    /**
     * YBR_FULL_422: two luminance values share one Cb and one Cr (PS3.3 C.7.6.3.1.2). Only the uncompressed path
     * reads it as such; a JPEG stream upsamples its own chroma, and RLE refuses it.
     */
    boolean subsampledChroma() {
      return photometric.equals(YBR_FULL_422);
    }

    long bytesPerFrame() {
      long bytes = (long) valuesPerFrame() * (bitsAllocated / 8);
      return subsampledChroma() ? bytes / 3 * 2 : bytes;
    }

    /** Bytes of all frames; 1-bit frames are packed back to back without byte alignment (PS3.5 section 8.1.1). */
    long pixelBytes() {
      return bitsAllocated == 1 ? ((long) valuesPerFrame() * frameCount + 7) / 8 : bytesPerFrame() * frameCount;
    }
  }

  /** The layout, refusing what the decoder of this transfer syntax ({@code codec}) cannot do. */
  private static Layout layout(DicomTags tags, Codec codec) throws RefusedException {
    boolean jpeg = codec == Codec.JPEG_BASELINE;
    boolean lossless = codec == Codec.JPEG_LOSSLESS;
    boolean rle = codec == Codec.RLE;
    if (tags.has(DOUBLE_FLOAT_PIXEL_DATA)) {
      throw new RefusedException("Double Float Pixel Data (7FE0,0009) is not supported");
    }
    boolean floats = tags.has(FLOAT_PIXEL_DATA);
    String offsetText = tags.text(floats ? FLOAT_PIXEL_DATA : PIXEL_DATA);
    if (offsetText == null) {
      throw new RefusedException("no pixel data: not an image (e.g. a report, RT plan or structure set), or the "
          + "file is cut short before its pixels");
    }
    long offset = Long.parseLong(offsetText);
    int rows = tags.integer(ROWS, 0);
    int columns = tags.integer(COLUMNS, 0);
    if (rows < 1 || columns < 1) {
      throw new RefusedException("no image size: Rows/Columns missing or zero");
    }
    int samples = tags.integer(SAMPLES_PER_PIXEL, 1);
    String photometric = tags.text(PHOTOMETRIC);
    int bitsAllocated = tags.integer(BITS_ALLOCATED, 0);
    int bitsStored = tags.integer(BITS_STORED, bitsAllocated);
    int highBit = tags.integer(HIGH_BIT, bitsStored - 1);
    boolean signed = tags.integer(PIXEL_REPRESENTATION, 0) == 1;
    int frames = tags.integer(NUMBER_OF_FRAMES, 1);
    boolean planar = tags.integer(PLANAR_CONFIGURATION, 0) == 1;
    if (photometric == null) {
      throw new RefusedException("no Photometric Interpretation (0028,0004)");
    }
    if (tags.has(MODALITY_LUT_SEQUENCE)) {
      throw new RefusedException("a Modality LUT Sequence (0028,3000) is not applied here; bake it into the "
          + "pixels, e.g. with gdcm's 'gdcmconv --apply-lut IN OUT'");
    }
    boolean gray = samples == 1 && (photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2"));
    // JPEG keeps luminance and chroma as the stream holds them (YBR_FULL, or YBR_FULL_422 with subsampled chroma;
    // lossless streams are never subsampled in DICOM).
    boolean raw = codec == Codec.RAW;
    boolean rgb = samples == 3 && (photometric.equals("RGB")
        || (jpeg || lossless) && photometric.equals("YBR_FULL")
        || (jpeg || raw) && photometric.equals(YBR_FULL_422));
    if (raw && rgb && photometric.equals(YBR_FULL_422)
        && (bitsAllocated != 8 || planar || (long) rows * columns % 2 != 0)) {
      throw new RefusedException("uncompressed YBR_FULL_422 is read with 8 bits per sample, pixel-interleaved and an "
          + "even number of pixels only; convert to RGB with gdcm's 'gdcmconv --photometric-interpretation RGB IN OUT'");
    }
    if (jpeg && (bitsAllocated != 8 || bitsStored != 8 || signed || floats)) {
      throw new RefusedException("JPEG baseline with " + bitsAllocated + " bits allocated, " + bitsStored
          + " stored" + (signed ? ", signed" : "") + " is not supported (only unsigned 8-bit); convert it with "
          + "gdcm's 'gdcmconv --raw IN OUT'");
    }
    if (lossless && (floats || !(bitsAllocated == 8 || bitsAllocated == 16) || rgb && bitsAllocated != 8)) {
      // TwelveMonkeys decodes colour lossless streams at 8-bit precision only.
      throw new RefusedException("JPEG Lossless with " + bitsAllocated + " bits allocated" + (rgb ? " per colour "
          + "sample" : "") + " is not supported (only 8 or 16 bits gray, 8 bits colour)" + JpegFrames.CONVERT);
    }
    if (!gray && !rgb) {
      String tool = photometric.startsWith("PALETTE")
          ? "gdcm's 'gdcmconv --apply-lut8 IN OUT'"
          : "gdcm's 'gdcmconv --photometric-interpretation RGB IN OUT'";
      throw new RefusedException("photometric interpretation " + photometric + " with " + samples
          + " samples per pixel is not supported (only MONOCHROME1, MONOCHROME2 and RGB; YBR_FULL in JPEG; "
          + "YBR_FULL_422 in JPEG Baseline or uncompressed); convert to RGB with "
          + tool);
    }
    if (floats && rle) {
      throw new RefusedException("Float Pixel Data cannot be RLE-encoded; the file is inconsistent" + RleFrames.CONVERT);
    }
    if (floats) {
      if (bitsAllocated != 32 || !gray) {
        throw new RefusedException("Float Pixel Data needs 32 bits allocated and one sample per pixel");
      }
    } else if (rle && !(bitsAllocated == 8 || bitsAllocated == 16 || bitsAllocated == 32)) {
      throw new RefusedException("RLE with " + bitsAllocated + " bits allocated per sample is not supported (only 8, "
          + "16 and 32)" + RleFrames.CONVERT);
    } else if (!(bitsAllocated == 1 && gray || bitsAllocated == 8 || bitsAllocated == 16
        || bitsAllocated == 32 && (gray || rle))) {
      throw new RefusedException(bitsAllocated + " bits allocated per sample is not supported"
          + (rgb ? " for RGB (only 8)" : " (only 1, 8, 16 and 32)"));
    }
    // RLE frames are decoded here at any width; ImageJ's raw reader takes 8-bit RGB only.
    if (rgb && bitsAllocated != 8 && !rle && !lossless) {
      throw new RefusedException("RGB with " + bitsAllocated + " bits per sample is not supported (only 8)");
    }
    if (!floats && (bitsStored < 1 || bitsStored > bitsAllocated || highBit != bitsStored - 1
        || bitsAllocated == 32 && bitsStored != 32)) {
      throw new RefusedException("unsupported bit layout: " + bitsAllocated + " allocated, " + bitsStored
          + " stored, high bit " + highBit);
    }
    if (frames < 1) {
      throw new RefusedException("corrupt header: Number of Frames is " + frames);
    }
    return new Layout(offset, rows, columns, samples, photometric, bitsAllocated, bitsStored, signed, floats,
        planar, frames);
  }

  /**
   * Checks ImageJ's pixel data offset against the element itself: the tag must precede it and its length must
   * cover every frame. This refuses encapsulated (compressed) data whatever the transfer syntax claims, and files
   * cut short, which ImageJ would otherwise fill with zeros.
   */
  private static void checkPixelElement(Path file, Layout layout, boolean bigEndian)
      throws IOException, RefusedException {
    long need = layout.pixelBytes();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (layout.offset < 8 || layout.offset > channel.size()) {
        throw new RefusedException("corrupt header: pixel data offset " + layout.offset + " is outside the file");
      }
      ByteBuffer before = ByteBuffer.allocate(12).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
      long from = Math.max(0, layout.offset - 12);
      channel.read(before, from);
      before.flip();
      int n = before.remaining();
      long length = Integer.toUnsignedLong(before.getInt(n - 4));
      int expectedTag = layout.floats ? FLOAT_PIXEL_DATA : PIXEL_DATA;
      boolean implicitTag = n >= 8 && tagAt(before, n - 8) == expectedTag;
      boolean explicitTag = n >= 12 && tagAt(before, n - 12) == expectedTag;
      if (!implicitTag && !explicitTag) {
        throw new RefusedException("corrupt header: no pixel data element where ImageJ found one");
      }
      if (length == 0xFFFFFFFFL) {
        throw new RefusedException("pixel data is encapsulated (compressed) although the transfer syntax says "
            + "otherwise; convert it with gdcm's 'gdcmconv --raw IN OUT'");
      }
      if (length < need) {
        throw new RefusedException("pixel data holds " + length + " bytes but " + layout.frameCount + " frame(s) of "
            + layout.rows + "x" + layout.columns + "x" + layout.samples + " at " + layout.bitsAllocated
            + " bits need " + need);
      }
      if (channel.size() < layout.offset + need) {
        throw new RefusedException("file is truncated: its pixel data needs " + need + " bytes but only "
            + (channel.size() - layout.offset) + " remain");
      }
    }
  }

  /**
   * One frame of 1-bit data (binary segmentations), unpacked here because ImageJ's 1-bit reader expects TIFF
   * rows padded to whole bytes, while DICOM packs all bits back to back, least significant bit first.
   */
  private static double[] bits(FileChannel channel, Layout layout, int frame) throws IOException {
    long firstBit = (long) frame * layout.valuesPerFrame();
    long firstByte = firstBit / 8;
    int byteCount = (int) ((firstBit + layout.valuesPerFrame() + 7) / 8 - firstByte);
    ByteBuffer bytes = readAt(channel, layout.offset + firstByte, byteCount);
    double[] out = new double[layout.valuesPerFrame()];
    for (int i = 0; i < out.length; i++) {
      long bit = firstBit + i - firstByte * 8;
      out[i] = bytes.get((int) (bit / 8)) >> (int) (bit % 8) & 1;
    }
    return out;
  }

  /**
   * One frame of uncompressed YBR_FULL_422 (Y1 Y2 Cb Cr for each pair of pixels) as YBR_FULL (Y1 Cb Cr Y2 Cb Cr), the
   * layout pydicom's {@code pixel_array} gives; ImageJ's reader knows no subsampled format.
   */
  private static double[] expandSubsampledChroma(FileChannel channel, Layout layout, int frame) throws IOException {
    ByteBuffer bytes = readAt(channel, layout.offset + frame * layout.bytesPerFrame(),
        Math.toIntExact(layout.bytesPerFrame()));
    double[] out = new double[layout.valuesPerFrame()];
    for (int pair = 0; pair < out.length / 6; pair++) {
      double cb = bytes.get(4 * pair + 2) & 0xff;
      double cr = bytes.get(4 * pair + 3) & 0xff;
      out[6 * pair] = bytes.get(4 * pair) & 0xff;
      out[6 * pair + 1] = cb;
      out[6 * pair + 2] = cr;
      out[6 * pair + 3] = bytes.get(4 * pair + 1) & 0xff;
      out[6 * pair + 4] = cb;
      out[6 * pair + 5] = cr;
    }
    return out;
  }

  /** {@code count} bytes from {@code position}; checkPixelElement has made sure the file is long enough. */
  private static ByteBuffer readAt(FileChannel channel, long position, int count) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(count);
    while (bytes.hasRemaining() && channel.read(bytes, position + bytes.position()) > 0) {
      // read until full
    }
    return bytes;
  }

  /**
   * A stored sample as its value: {@code raw} masked to Bits Stored and, for signed data, read as two's complement
   * of that width. The one rule for raw, RLE and every bit depth up to 32.
   */
  static double storedValue(long raw, int bitsStored, boolean signed) {
    long mask = (1L << bitsStored) - 1;
    long v = raw & mask;
    return signed && (v & 1L << (bitsStored - 1)) != 0 ? v - (mask + 1) : v;
  }

  /** A tag as written in the data set: group then element, each in the data set's byte order. */
  private static int tagAt(ByteBuffer buffer, int index) {
    return (buffer.getShort(index) & 0xffff) << 16 | (buffer.getShort(index + 2) & 0xffff);
  }

  /** ImageJ's description of one frame, at offset 0 of a stream that we position ourselves. */
  private static FileInfo fileInfo(Layout layout, boolean bigEndian) {
    var fi = new FileInfo();
    fi.width = layout.columns;
    fi.height = layout.rows;
    fi.offset = 0;
    fi.intelByteOrder = !bigEndian;
    if (layout.floats) {
      fi.fileType = FileInfo.GRAY32_FLOAT;
    } else if (layout.samples == 3) {
      fi.fileType = layout.planar ? FileInfo.RGB_PLANAR : FileInfo.RGB;
    } else if (layout.bitsAllocated == 8) {
      fi.fileType = FileInfo.GRAY8;
    } else if (layout.bitsAllocated == 16) {
      // Read the raw bit pattern; sign and Bits Stored are applied in samples(), for 8 and 16 bits alike.
      fi.fileType = FileInfo.GRAY16_UNSIGNED;
    } else {
      fi.fileType = layout.signed ? FileInfo.GRAY32_INT : FileInfo.GRAY32_UNSIGNED;
    }
    return fi;
  }

  /** ImageJ's pixel array as stored values: Bits Stored masked, two's complement applied, RGB interleaved. */
  private static double[] samples(Layout layout, Object pixels) throws RefusedException {
    if (pixels == null) {
      throw new RefusedException("file is truncated inside its pixel data");
    }
    int n = layout.rows * layout.columns;
    double[] out = new double[layout.valuesPerFrame()];
    if (pixels instanceof int[] rgb) {
      for (int i = 0; i < n; i++) {
        out[3 * i] = rgb[i] >> 16 & 0xff;
        out[3 * i + 1] = rgb[i] >> 8 & 0xff;
        out[3 * i + 2] = rgb[i] & 0xff;
      }
    } else if (pixels instanceof float[] f) {
      for (int i = 0; i < n; i++) {
        if (!layout.floats && Math.abs(f[i]) > FLOAT_EXACT) {
          throw new RefusedException("32-bit samples above 2^24 cannot be decoded exactly by ImageJ");
        }
        out[i] = f[i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        int raw = pixels instanceof byte[] b ? b[i] & 0xff : ((short[]) pixels)[i] & 0xffff;
        out[i] = storedValue(raw, layout.bitsStored, layout.signed);
      }
    }
    return out;
  }
}
