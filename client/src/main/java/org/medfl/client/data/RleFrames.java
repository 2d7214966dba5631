package org.medfl.client.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Frames of RLE Lossless pixel data (transfer syntax 1.2.840.10008.1.2.5, PS3.5 Annex G), decoded here because
 * ImageJ reads uncompressed data only. A frame is a 64-byte header (the number of segments, then up to 15 segment
 * offsets) followed by its segments; each segment holds one byte of every pixel's sample, most significant byte
 * first, for sample 1, then sample 2..., PackBits-encoded. The decoded values follow the rules of the uncompressed
 * path: Bits Stored masked, two's complement applied, a pixel's samples side by side. Anything inconsistent is
 * refused with the reason, never padded or guessed.
 */
final class RleFrames {

  /** How to make a file this class cannot decode readable: the end of every refusal. */
  static final String CONVERT = "; convert it with dcmtk's 'dcmdrle IN OUT' or gdcm's 'gdcmconv --raw IN OUT'";

  private static final int HEADER_BYTES = 64;
  private static final int MAX_SEGMENTS = 15;

  private RleFrames() {}

  /**
   * Decodes one frame into {@code rows * columns * samples} stored values, a pixel's samples side by side.
   *
   * @param bitsAllocated 8, 16 or 32: one segment per byte of each sample
   */
  static double[] decode(byte[] frame, int rows, int columns, int samples, int bitsAllocated, int bitsStored,
      boolean signed) throws DicomReader.RefusedException {
    if (bitsAllocated % 8 != 0 || bitsAllocated < 8 || bitsAllocated > 32) {
      throw new DicomReader.RefusedException("RLE with " + bitsAllocated + " bits allocated is not decoded here"
          + CONVERT);
    }
    int bytesPerSample = bitsAllocated / 8;
    int expectedSegments = samples * bytesPerSample;
    int[] bounds = segmentBounds(frame, expectedSegments);
    int pixels = rows * columns;
    long[] raw = new long[pixels * samples];
    byte[] plane = new byte[pixels];
    for (int segment = 0; segment < expectedSegments; segment++) {
      unpack(frame, bounds[segment], bounds[segment + 1], plane, segment);
      int sample = segment / bytesPerSample;
      for (int p = 0; p < pixels; p++) {
        int i = p * samples + sample;
        raw[i] = raw[i] << 8 | plane[p] & 0xff;
      }
    }
    double[] out = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = DicomReader.storedValue(raw[i], bitsStored, signed);
    }
    return out;
  }

  /** Where each segment starts, plus the frame's end: checked to lie in order inside the frame. */
  private static int[] segmentBounds(byte[] frame, int expectedSegments) throws DicomReader.RefusedException {
    if (frame.length < HEADER_BYTES) {
      throw new DicomReader.RefusedException("damaged RLE data: a frame of " + frame.length
          + " bytes is shorter than the 64-byte RLE header" + CONVERT);
    }
    ByteBuffer header = ByteBuffer.wrap(frame, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long segments = Integer.toUnsignedLong(header.getInt(0));
    if (segments != expectedSegments) {
      throw new DicomReader.RefusedException("damaged RLE data: the header names " + segments + " segments but "
          + "samples per pixel and bits allocated need " + expectedSegments
          + (segments > MAX_SEGMENTS ? " (at most " + MAX_SEGMENTS + " are allowed)" : "") + CONVERT);
    }
    int[] bounds = new int[expectedSegments + 1];
    long previous = HEADER_BYTES - 1;
    for (int k = 0; k < expectedSegments; k++) {
      long start = Integer.toUnsignedLong(header.getInt(4 + 4 * k));
      if (start <= previous || start >= frame.length) {
        throw new DicomReader.RefusedException("damaged RLE data: segment " + (k + 1) + " starts at byte " + start
            + ", outside the frame's " + frame.length + " bytes or before the segment it follows" + CONVERT);
      }
      bounds[k] = (int) start;
      previous = start;
    }
    bounds[expectedSegments] = frame.length;
    return bounds;
  }

  /**
   * PackBits: a header byte n of 0 to 127 copies the next n + 1 bytes, -1 to -127 repeats the next byte 1 - n times,
   * -128 does nothing. Fills {@code plane} exactly; bytes that decode past its end (padding some encoders add) are
   * dropped, a segment that ends before filling it is refused.
   */
  private static void unpack(byte[] frame, int from, int to, byte[] plane, int segment)
      throws DicomReader.RefusedException {
    int in = from;
    int out = 0;
    while (out < plane.length && in < to) {
      int n = frame[in++];
      if (n >= 0) {
        int count = Math.min(Math.min(n + 1, to - in), plane.length - out);
        System.arraycopy(frame, in, plane, out, count);
        in += n + 1;
        out += count;
      } else if (n != -128 && in < to) {
        int count = Math.min(1 - n, plane.length - out);
        java.util.Arrays.fill(plane, out, out + count, frame[in++]);
        out += count;
      }
    }
    if (out < plane.length) {
      throw new DicomReader.RefusedException("damaged or truncated RLE data: segment " + (segment + 1)
          + " decodes to " + out + " of the " + plane.length + " bytes of a frame" + CONVERT);
    }
  }
}
