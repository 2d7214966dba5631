package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RLE Lossless DICOM written here: PackBits runs decoded against hand-computed bytes, 16-bit signed CT values and
 * 8-bit RGB restored exactly, and damaged frames skipped with their reason. Real RLE files from other writers are
 * checked against pydicom in {@link DicomPydicomComparisonTest}.
 */
class DicomRleTest {

  @TempDir
  Path dir;

  @Test
  void packBitsLiteralReplicateAndNoOpRunsDecodeToTheHandComputedPixels() throws Exception {
    // given a 4x3 8-bit frame whose single segment uses every kind of run, plus the pad byte that keeps it even:
    // literal 3 (02 0A 0B 0C), replicate 5 (FC 07), no-op (80), literal 1 (00 FF), replicate 3 (FE 00), pad (00)
    byte[] segment = bytes(0x02, 0x0A, 0x0B, 0x0C, 0xFC, 0x07, 0x80, 0x00, 0xFF, 0xFE, 0x00, 0x00);
    Path file = dir.resolve("runs.dcm");
    gray(4, 3, 8, false, 1).encapsulated(TransferSyntax.RLE, List.of(frame(segment)), 1, false).write(file);

    // when
    DicomImage image = (DicomImage) new DicomReader().read(file, DicomReader.ALL);

    // then
    assertArrayEquals(new double[] {10, 11, 12, 7, 7, 7, 7, 7, 255, 0, 0, 0}, image.frames().get(0), 0.0);
    assertEquals(TransferSyntax.RLE, image.transferSyntaxUid());
  }

  @Test
  void signedSixteenBitFramesComeBackExactlyFromTheirHighAndLowByteSegments() throws Exception {
    // given two 3x2 frames of CT values in a file split one fragment per frame, and a third in two fragments
    short[][] frames = {{-1024, -1, 0, 1, 3071, -32768}, {32767, 40, -40, 256, -256, 7}};
    Path file = dir.resolve("ct.dcm");
    gray(3, 2, 16, true, 2).encapsulated(TransferSyntax.RLE, List.of(sixteenBit(frames[0]), sixteenBit(frames[1])),
        1, true).write(file);
    Path split = dir.resolve("ct-split.dcm");
    gray(3, 2, 16, true, 1).encapsulated(TransferSyntax.RLE, List.of(sixteenBit(frames[1])), 3, false).write(split);

    // when
    DicomImage all = (DicomImage) new DicomReader().read(file, DicomReader.ALL);
    DicomImage middle = (DicomImage) new DicomReader().read(file, DicomReader.MIDDLE);
    DicomImage fragments = (DicomImage) new DicomReader().read(split, DicomReader.ALL);

    // then
    assertArrayEquals(doubles(frames[0]), all.frames().get(0), 0.0);
    assertArrayEquals(doubles(frames[1]), all.frames().get(1), 0.0);
    assertArrayEquals(doubles(frames[1]), middle.frames().get(0), 0.0);
    assertArrayEquals(doubles(frames[1]), fragments.frames().get(0), 0.0);
  }

  @Test
  void rgbSegmentsArePlanesThatComeBackAsPixelsWithTheirSamplesSideBySide() throws Exception {
    // given a 2x1 RGB frame: red plane, green plane, blue plane
    byte[] frame = frame(literal(200, 10), literal(100, 20), literal(50, 30));
    Path file = dir.resolve("rgb.dcm");
    new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("rle/rgb")).us(0x00280002, 3)
        .text(0x00280004, "CS", "RGB").us(0x00280006, 1).us(0x00280010, 1).us(0x00280011, 2)
        .us(0x00280100, 8).us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0)
        .encapsulated(TransferSyntax.RLE, List.of(frame), 1, false).write(file);

    // when
    DicomImage image = (DicomImage) new DicomReader().read(file, DicomReader.ALL);

    // then
    assertArrayEquals(new double[] {200, 100, 50, 10, 20, 30}, image.frames().get(0), 0.0);
  }

  @Test
  void damagedRleFramesAreSkippedWithTheirReasonAndAConverter() throws Exception {
    // given a segment that ends early, a header naming the wrong number of segments, an offset past the frame
    byte[] shortSegment = frame(literal(1, 2, 3));
    byte[] twoSegments = frame(literal(1, 2, 3, 4), literal(5, 6, 7, 8));
    byte[] badOffset = frame(literal(1, 2, 3, 4));
    ByteBuffer.wrap(badOffset).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 4000);
    Path truncated = write("short.dcm", shortSegment);
    Path wrongCount = write("count.dcm", twoSegments);
    Path outside = write("offset.dcm", badOffset);

    // when
    var reader = new DicomReader();
    DicomSkip a = assertInstanceOf(DicomSkip.class, reader.read(truncated, DicomReader.ALL));
    DicomSkip b = assertInstanceOf(DicomSkip.class, reader.read(wrongCount, DicomReader.ALL));
    DicomSkip c = assertInstanceOf(DicomSkip.class, reader.read(outside, DicomReader.ALL));

    // then
    assertTrue(a.reason().contains("segment 1 decodes to 3 of the 4 bytes"), a.reason());
    assertTrue(b.reason().contains("names 2 segments but") && b.reason().contains("need 1"), b.reason());
    assertTrue(c.reason().contains("segment 1 starts at byte 4000"), c.reason());
    for (DicomSkip skip : List.of(a, b, c)) {
      assertTrue(skip.reason().contains("dcmdrle"), skip.reason());
    }
  }

  /** A 2x2 8-bit gray RLE file holding {@code frame}. */
  private Path write(String name, byte[] frame) throws Exception {
    Path file = dir.resolve(name);
    gray(2, 2, 8, false, 1).encapsulated(TransferSyntax.RLE, List.of(frame), 1, false).write(file);
    return file;
  }

  private static DicomWriter gray(int columns, int rows, int bits, boolean signed, int frames) {
    var w = new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("rle/" + bits + "/" + frames))
        .us(0x00280002, 1).text(0x00280004, "CS", "MONOCHROME2").us(0x00280010, rows).us(0x00280011, columns)
        .us(0x00280100, bits).us(0x00280101, bits).us(0x00280102, bits - 1).us(0x00280103, signed ? 1 : 0);
    return frames > 1 ? w.text(0x00280008, "IS", Integer.toString(frames)) : w;
  }

  /** A 16-bit frame as two segments: every sample's high byte, then every low byte, each as literal runs. */
  private static byte[] sixteenBit(short[] values) {
    int[] high = new int[values.length];
    int[] low = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      high[i] = values[i] >> 8 & 0xff;
      low[i] = values[i] & 0xff;
    }
    return frame(literal(high), literal(low));
  }

  /** One literal run (at most 128 bytes here), padded to an even length as PS3.5 G.3.1 asks. */
  private static byte[] literal(int... values) {
    byte[] run = new byte[(values.length + 2) & ~1];
    run[0] = (byte) (values.length - 1);
    for (int i = 0; i < values.length; i++) {
      run[i + 1] = (byte) values[i];
    }
    return run;
  }

  /** The 64-byte RLE header (segment count, offsets) followed by the segments. */
  private static byte[] frame(byte[]... segments) {
    ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(segments.length);
    var body = new ByteArrayOutputStream();
    for (byte[] segment : segments) {
      header.putInt(64 + body.size());
      body.writeBytes(segment);
    }
    var out = new ByteArrayOutputStream();
    out.writeBytes(header.array());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static double[] doubles(short[] values) {
    return Arrays.stream(toInts(values)).asDoubleStream().toArray();
  }

  private static int[] toInts(short[] values) {
    int[] ints = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      ints[i] = values[i];
    }
    return ints;
  }
}
