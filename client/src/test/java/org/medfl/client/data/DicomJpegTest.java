package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JPEG Baseline DICOM on files written here: frames split into fragments, with and without a Basic Offset Table,
 * a header with nested undefined-length sequences, and damaged files. Real files from other writers are checked
 * against pydicom in {@link DicomPydicomComparisonTest}.
 */
class DicomJpegTest {

  private static final int SIZE = 16;

  @TempDir
  Path dir;

  @Test
  void multiFrameJpegIsDecodedFrameByFrameFromItsFragments() throws Exception {
    // given 3 frames, each split into 2 fragments, with an offset table, behind a nested sequence
    List<byte[]> jpegs = List.of(grayJpeg(0), grayJpeg(1), grayJpeg(2));
    Path file = dir.resolve("multi.dcm");
    gray(jpegs.size()).encoded(0x00081140, nestedSequence()).text(0x00100020, "LO", "P-0042")
        .jpegFrames(jpegs, 2, true).write(file);

    // when
    DicomResult all = new DicomReader().read(file, DicomReader.ALL);
    DicomResult middle = new DicomReader().read(file, DicomReader.MIDDLE);

    // then every frame is exactly the JDK decoder's output for that frame's bytes
    DicomImage image = assertInstanceOf(DicomImage.class, all, () -> all.toString());
    assertEquals(3, image.frames().size());
    assertEquals("P-0042", image.patientId());
    for (int k = 0; k < 3; k++) {
      assertArrayEquals(decoded(jpegs.get(k)), image.frames().get(k), 0.0, "frame " + k);
    }
    DicomImage one = assertInstanceOf(DicomImage.class, middle);
    assertArrayEquals(new int[] {1}, one.frameIndices());
    assertArrayEquals(decoded(jpegs.get(1)), one.frames().get(0), 0.0);
  }

  @Test
  void oneFragmentPerFrameNeedsNoOffsetTable() throws Exception {
    // given
    List<byte[]> jpegs = List.of(grayJpeg(3), grayJpeg(4));
    Path file = dir.resolve("two.dcm");
    gray(2).jpegFrames(jpegs, 1, false).write(file);

    // when
    DicomImage image = assertInstanceOf(DicomImage.class, new DicomReader().read(file, DicomReader.ALL));

    // then
    assertArrayEquals(decoded(jpegs.get(1)), image.frames().get(1), 0.0);
  }

  @Test
  void fragmentsThatCannotBeToldApartAreRefusedWithAConverter() throws Exception {
    // given 2 frames in 4 fragments and an empty offset table
    Path file = dir.resolve("ambiguous.dcm");
    gray(2).jpegFrames(List.of(grayJpeg(5), grayJpeg(6)), 2, false).write(file);

    // when
    DicomSkip skip = assertInstanceOf(DicomSkip.class, new DicomReader().read(file, DicomReader.ALL));

    // then
    assertTrue(skip.reason().contains("Basic Offset Table") && skip.reason().contains("gdcmconv"), skip.reason());
  }

  @Test
  void truncatedOrDamagedJpegDataIsSkippedWithItsReason() throws Exception {
    // given one file cut inside its fragments and one whose JPEG bytes are scrambled after the header
    Path whole = dir.resolve("whole.dcm");
    gray(1).jpegFrames(List.of(grayJpeg(7)), 1, false).write(whole);
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.dcm");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 200));
    byte[] jpeg = grayJpeg(8);
    for (int i = jpeg.length / 2; i < jpeg.length - 2; i++) {
      jpeg[i] = (byte) 0xFF;
    }
    Path damaged = dir.resolve("damaged.dcm");
    gray(1).jpegFrames(List.of(jpeg), 1, false).write(damaged);

    // when
    DicomSkip cutSkip = assertInstanceOf(DicomSkip.class, new DicomReader().read(cut, DicomReader.ALL));
    DicomSkip damagedSkip = assertInstanceOf(DicomSkip.class, new DicomReader().read(damaged, DicomReader.ALL));

    // then
    assertTrue(cutSkip.reason().contains("truncated"), cutSkip.reason());
    assertTrue(damagedSkip.reason().contains("JPEG") && damagedSkip.reason().contains("gdcmconv"),
        damagedSkip.reason());
  }

  @Test
  void aStreamLargerThanItsHeaderSaysIsRefusedBeforeDecoding() throws Exception {
    // given a header that says 16x16 (within any pixel limit) over a 64x64 JPEG stream
    var big = new BufferedImage(4 * SIZE, 4 * SIZE, BufferedImage.TYPE_BYTE_GRAY);
    Path file = dir.resolve("big.dcm");
    gray(1).jpegFrames(List.of(encode(big)), 1, false).write(file);

    // when
    DicomSkip skip = assertInstanceOf(DicomSkip.class, new DicomReader(SIZE * SIZE).read(file, DicomReader.ALL));

    // then
    assertTrue(skip.reason().contains("64x64") && skip.reason().contains("16x16"), skip.reason());
  }

  @Test
  void colourJpegIsKeptAsYcbcrUnderYbrAndRefusedWhenTheHeaderSaysRgb() throws Exception {
    // given the JDK's colour JPEG (JFIF, so YCbCr) labelled once YBR_FULL_422 and once RGB
    byte[] jpeg = colourJpeg();
    Path ybr = dir.resolve("ybr.dcm");
    colour("YBR_FULL_422").jpegFrames(List.of(jpeg), 1, false).write(ybr);
    Path rgb = dir.resolve("rgb.dcm");
    colour("RGB").jpegFrames(List.of(jpeg), 1, false).write(rgb);

    // when
    DicomResult asYbr = new DicomReader().read(ybr, DicomReader.ALL);
    DicomResult asRgb = new DicomReader().read(rgb, DicomReader.ALL);

    // then
    DicomImage image = assertInstanceOf(DicomImage.class, asYbr, () -> asYbr.toString());
    assertArrayEquals(decoded(jpeg), image.frames().get(0), 0.0);
    DicomSkip skip = assertInstanceOf(DicomSkip.class, asRgb);
    assertTrue(skip.reason().contains("ambiguous"), skip.reason());
  }

  @Test
  void ybrFullConvertsToRgbByTheJfifFormula() {
    // given gray, pure red (T.871's Y, Cb, Cr of 255, 0, 0) and a value beyond the range
    double[] ybr = {128, 128, 128, 76.245, 84.972, 255.5, 255, 128, 255};

    // when
    double[] rgb = DicomUnitScale.ybrFullToRgb(ybr);

    // then
    assertArrayEquals(new double[] {128, 128, 128, 255, 0, 0, 255, 164.3047, 255}, rgb, 0.01);
  }

  private static DicomWriter gray(int frames) {
    var w = new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("jpeg/" + frames))
        .us(0x00280002, 1).text(0x00280004, "CS", "MONOCHROME2").us(0x00280010, SIZE).us(0x00280011, SIZE)
        .us(0x00280100, 8).us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0);
    return frames > 1 ? w.text(0x00280008, "IS", Integer.toString(frames)) : w;
  }

  private static DicomWriter colour(String photometric) {
    return new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("jpeg/" + photometric))
        .us(0x00280002, 3).text(0x00280004, "CS", photometric).us(0x00280006, 0).us(0x00280010, SIZE)
        .us(0x00280011, SIZE).us(0x00280100, 8).us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0);
  }

  private static byte[] grayJpeg(int seed) throws Exception {
    var image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        image.getRaster().setSample(x, y, 0, (x * 16 + y * seed * 7) % 256);
      }
    }
    return encode(image);
  }

  private static byte[] colourJpeg() throws Exception {
    var image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        image.setRGB(x, y, (x * 16) << 16 | (y * 16) << 8 | 200);
      }
    }
    return encode(image);
  }

  private static byte[] encode(BufferedImage image) throws Exception {
    var out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "jpg", out));
    return out.toByteArray();
  }

  /** The JDK decoder's samples without colour conversion, as the reader must return them. */
  private static double[] decoded(byte[] jpeg) throws Exception {
    var reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    reader.setInput(ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg)));
    Raster raster = reader.readRaster(0, null);
    reader.dispose();
    return Arrays.stream(raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null))
        .asDoubleStream().toArray();
  }

  /**
   * Referenced Image Sequence (SQ, undefined length) with one undefined-length item holding a Patient ID that is
   * not the top-level one, and an undefined-length UN inside it: the walker must step over all of it.
   */
  private static byte[] nestedSequence() {
    var item = new ArrayList<byte[]>();
    item.add(explicit(0x00100020, "LO", "NESTED".getBytes(StandardCharsets.US_ASCII)));
    // an undefined-length UN: implicit VR inside, one item with one element
    ByteBuffer un = le(12).putShort((short) 0x0009).putShort((short) 0x1010).put("UN".getBytes(StandardCharsets.US_ASCII))
        .putShort((short) 0).putInt(-1);
    item.add(un.array());
    item.add(header(0xFFFEE000, -1));
    item.add(le(10).putShort((short) 0x0009).putShort((short) 0x1011).putInt(2).put((byte) 'x').put((byte) 'y')
        .array());
    item.add(header(0xFFFEE00D, 0));
    item.add(header(0xFFFEE0DD, 0));
    var out = new ByteArrayOutputStream();
    out.writeBytes(le(12).putShort((short) 0x0008).putShort((short) 0x1140).put("SQ".getBytes(StandardCharsets.US_ASCII))
        .putShort((short) 0).putInt(-1).array());
    out.writeBytes(header(0xFFFEE000, -1));
    item.forEach(out::writeBytes);
    out.writeBytes(header(0xFFFEE00D, 0));
    out.writeBytes(header(0xFFFEE0DD, 0));
    return out.toByteArray();
  }

  private static byte[] explicit(int tag, String vr, byte[] value) {
    return le(8 + value.length).putShort((short) (tag >>> 16)).putShort((short) tag)
        .put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) value.length).put(value).array();
  }

  private static byte[] header(int tag, int length) {
    return le(8).putShort((short) (tag >>> 16)).putShort((short) tag).putInt(length).array();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
