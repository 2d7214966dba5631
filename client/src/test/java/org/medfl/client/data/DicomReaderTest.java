package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomReaderTest {

  @TempDir
  Path dir;

  private final DicomReader reader = new DicomReader();

  @Test
  void appliesRescaleSlopeAndInterceptToSignedSixteenBitCt() throws IOException {
    // given stored -1, 0, 1024 and 3000 with slope 2 and intercept -1024
    Path file = dir.resolve("ct.dcm");
    gray(16, true, "MONOCHROME2", 2, 2, 1, shorts(-1, 0, 1024, 3000))
        .text(0x00080060, "CS", "CT").text(0x00100020, "LO", "P-7")
        .text(0x00281050, "DS", "40\\400").text(0x00281051, "DS", "400\\2000")
        .text(0x00281052, "DS", "-1024").text(0x00281053, "DS", "2").write(file);

    // when
    DicomImage image = assertInstanceOf(DicomImage.class, reader.read(file, DicomReader.MIDDLE));

    // then
    assertArrayEquals(new double[] {-1026, -1024, 1024, 4976}, image.frames().get(0));
    assertEquals("CT", image.modality());
    assertEquals("P-7", image.patientId());
    assertEquals(2, image.rows());
    assertEquals(2, image.columns());
    // ImageJ drops the first of several windows; we report the first of those it keeps
    assertEquals(400.0, image.windowCenter());
    assertEquals(2000.0, image.windowWidth());
  }

  @Test
  void unsignedEightBitWithoutRescaleKeepsStoredValues() throws IOException {
    // given
    Path file = dir.resolve("us.dcm");
    gray(8, false, "MONOCHROME2", 1, 4, 1, new byte[] {0, 1, (byte) 200, (byte) 255}).write(file);

    // when
    DicomImage image = assertInstanceOf(DicomImage.class, reader.read(file, DicomReader.ALL));

    // then
    assertArrayEquals(new double[] {0, 1, 200, 255}, image.frames().get(0));
    assertEquals(null, image.windowCenter());
  }

  @Test
  void signedTwelveBitsStoredInSixteenAreMaskedAndSignExtended() throws IOException {
    // given 12 stored bits: 0x0FFB is -5, and 0xF005 carries junk above the high bit (value 5)
    Path file = dir.resolve("s12.dcm");
    gray(16, true, "MONOCHROME2", 1, 2, 1, shorts(0x0FFB, 0xF005)).us(0x00280101, 12).us(0x00280102, 11)
        .write(file);

    // when
    DicomImage image = assertInstanceOf(DicomImage.class, reader.read(file, DicomReader.MIDDLE));

    // then
    assertArrayEquals(new double[] {-5, 5}, image.frames().get(0));
  }

  @Test
  void multiFrameGivesTheMiddleFrameOrAllFrames() throws IOException {
    // given three 2x2 frames filled with 10, 20 and 30
    Path file = dir.resolve("mf.dcm");
    byte[] pixels = {10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30};
    gray(8, false, "MONOCHROME2", 2, 2, 3, pixels).write(file);

    // when
    DicomImage middle = assertInstanceOf(DicomImage.class, reader.read(file, DicomReader.MIDDLE));
    DicomImage all = assertInstanceOf(DicomImage.class, reader.read(file, DicomReader.ALL));

    // then
    assertEquals(3, middle.frameCount());
    assertArrayEquals(new int[] {1}, middle.frameIndices());
    assertArrayEquals(new double[] {20, 20, 20, 20}, middle.frames().get(0));
    assertArrayEquals(new int[] {0, 1, 2}, all.frameIndices());
    assertEquals(30.0, all.frames().get(2)[3]);
    assertEquals(10.0, all.frames().get(0)[0]);
  }

  @Test
  void monochromeOneKeepsValuesButMapsDenseToBright() throws IOException {
    // given the same stored pixels as MONOCHROME1 and as MONOCHROME2
    byte[] pixels = {0, 50, 100, (byte) 200};
    Path one = dir.resolve("m1.dcm");
    Path two = dir.resolve("m2.dcm");
    gray(8, false, "MONOCHROME1", 2, 2, 1, pixels).write(one);
    gray(8, false, "MONOCHROME2", 2, 2, 1, pixels).write(two);

    // when
    DicomImage inverted = assertInstanceOf(DicomImage.class, reader.read(one, DicomReader.MIDDLE));
    DicomImage plain = assertInstanceOf(DicomImage.class, reader.read(two, DicomReader.MIDDLE));

    // then modality values are the same, the [0, 1] mapping is inverted
    assertArrayEquals(plain.frames().get(0), inverted.frames().get(0));
    assertTrue(inverted.invertedGray());
    assertArrayEquals(new float[] {0, 0.25f, 0.5f, 1}, DicomUnitScale.toUnit(plain, 0, null));
    assertArrayEquals(new float[] {1, 0.75f, 0.5f, 0}, DicomUnitScale.toUnit(inverted, 0, null));
  }

  @Test
  void rgbIsReadInterleavedWhateverThePlanarConfiguration() throws IOException {
    // given two pixels (1,2,3) and (4,5,6), once pixel by pixel and once plane by plane
    Path chunky = dir.resolve("rgb0.dcm");
    Path planar = dir.resolve("rgb1.dcm");
    rgb(0, new byte[] {1, 2, 3, 4, 5, 6}).write(chunky);
    rgb(1, new byte[] {1, 4, 2, 5, 3, 6}).write(planar);

    // when
    DicomImage a = assertInstanceOf(DicomImage.class, reader.read(chunky, DicomReader.MIDDLE));
    DicomImage b = assertInstanceOf(DicomImage.class, reader.read(planar, DicomReader.MIDDLE));

    // then
    assertEquals(3, a.samplesPerPixel());
    assertEquals("RGB", a.photometric());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.frames().get(0));
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, b.frames().get(0));
  }

  @Test
  void uncompressedYbrFull422SharesEachChromaPairBetweenTwoPixels() throws IOException {
    // given a 2x2 frame: row one Y 10, 20 with Cb 100, Cr 200; row two Y 30, 40 with Cb 110, Cr 210
    Path file = dir.resolve("ybr422.dcm");
    byte[] stored = {10, 20, 100, (byte) 200, 30, 40, 110, (byte) 210};
    new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("ybr422")).us(0x00280002, 3)
        .text(0x00280004, "CS", "YBR_FULL_422").us(0x00280006, 0).us(0x00280010, 2).us(0x00280011, 2)
        .us(0x00280100, 8).us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0).pixels(stored, false).write(file);
    Path odd = dir.resolve("ybr422-odd.dcm");
    new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("ybr422-odd")).us(0x00280002, 3)
        .text(0x00280004, "CS", "YBR_FULL_422").us(0x00280006, 0).us(0x00280010, 1).us(0x00280011, 3)
        .us(0x00280100, 8).us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0).pixels(stored, false).write(odd);

    // when
    DicomImage image = assertInstanceOf(DicomImage.class, reader.read(file, DicomReader.MIDDLE));
    DicomSkip skip = assertInstanceOf(DicomSkip.class, reader.read(odd, DicomReader.MIDDLE));

    // then: YCbCr per pixel, as pydicom's pixel_array gives it
    assertArrayEquals(new double[] {10, 100, 200, 20, 100, 200, 30, 110, 210, 40, 110, 210}, image.frames().get(0));
    assertTrue(skip.reason().contains("even number of pixels") && skip.reason().contains("gdcmconv"), skip.reason());
  }

  @Test
  void compressedTransferSyntaxIsRefusedWithAConversionTool() throws IOException {
    // given raw bytes under headers that claim JPEG Extended (not decoded here), and JPEG Baseline and Lossless
    // (decoded, but only from encapsulated fragments): ImageJ alone would not see any of these claims
    Path extended = dir.resolve("extended.dcm");
    gray(8, false, "MONOCHROME2", 2, 2, 1, new byte[4]).claimTransferSyntax("1.2.840.10008.1.2.4.51").write(extended);
    Path baseline = dir.resolve("baseline.dcm");
    gray(8, false, "MONOCHROME2", 2, 2, 1, new byte[4]).claimTransferSyntax("1.2.840.10008.1.2.4.50").write(baseline);
    Path lossless = dir.resolve("lossless.dcm");
    gray(8, false, "MONOCHROME2", 2, 2, 1, new byte[4]).claimTransferSyntax("1.2.840.10008.1.2.4.70").write(lossless);

    // when
    DicomSkip extendedSkip = assertInstanceOf(DicomSkip.class, reader.read(extended, DicomReader.MIDDLE));
    DicomSkip baselineSkip = assertInstanceOf(DicomSkip.class, reader.read(baseline, DicomReader.MIDDLE));
    DicomSkip losslessSkip = assertInstanceOf(DicomSkip.class, reader.read(lossless, DicomReader.MIDDLE));

    // then
    assertTrue(extendedSkip.reason().contains("dcmdjpeg") && extendedSkip.reason().contains("1.2.840.10008.1.2.4.51"),
        extendedSkip.reason());
    for (DicomSkip skip : List.of(baselineSkip, losslessSkip)) {
      assertTrue(skip.reason().contains("not encapsulated") && skip.reason().contains("gdcmconv"), skip.reason());
    }
  }

  @Test
  void truncatedPixelDataIsSkippedNotZeroFilled() throws IOException {
    // given a 16x16 16-bit image cut 100 bytes short
    Path whole = dir.resolve("whole.dcm");
    gray(16, false, "MONOCHROME2", 16, 16, 1, new byte[16 * 16 * 2]).write(whole);
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.write(dir.resolve("cut.dcm"), Arrays.copyOf(bytes, bytes.length - 100));

    // when
    DicomResult result = reader.read(cut, DicomReader.MIDDLE);

    // then
    DicomSkip skip = assertInstanceOf(DicomSkip.class, result);
    assertTrue(skip.reason().contains("truncated"), skip.reason());
    assertInstanceOf(DicomImage.class, reader.read(whole, DicomReader.MIDDLE));
  }

  @Test
  void corruptFilesAreSkippedWithAReason() throws IOException {
    // given an empty file, a non-DICOM file, a header cut in its meta group, and garbage after "DICM"
    byte[] garbage = new byte[4000];
    new java.util.Random(3).nextBytes(garbage);
    System.arraycopy("DICM".getBytes(), 0, garbage, 128, 4);
    Path good = dir.resolve("good.dcm");
    gray(8, false, "MONOCHROME2", 2, 2, 1, new byte[4]).write(good);
    Path[] files = {
        Files.write(dir.resolve("empty.dcm"), new byte[0]),
        Files.writeString(dir.resolve("notes.dcm"), "not an image"),
        Files.write(dir.resolve("meta-cut.dcm"), Arrays.copyOf(Files.readAllBytes(good), 150)),
        Files.write(dir.resolve("garbage.dcm"), garbage),
    };

    for (Path file : files) {
      // when
      DicomResult result = reader.read(file, DicomReader.ALL);

      // then
      DicomSkip skip = assertInstanceOf(DicomSkip.class, result, file.getFileName().toString());
      assertTrue(!skip.reason().isBlank() && !skip.reason().contains("\n"), skip.reason());
    }
  }

  @Test
  void pixelLimitCountsTheFramesThatWouldBeDecoded() throws IOException {
    // given three 2x2 frames: 4 pixels for the middle frame, 12 for all
    Path file = dir.resolve("mf.dcm");
    gray(8, false, "MONOCHROME2", 2, 2, 3, new byte[12]).write(file);
    var reader = new DicomReader(4);

    // when
    DicomResult middle = reader.read(file, DicomReader.MIDDLE);
    DicomResult all = reader.read(file, DicomReader.ALL);

    // then
    assertInstanceOf(DicomImage.class, middle);
    assertEquals("image is 2x2x3 frames = 12 pixels, above this site's limit of 4 (--max-pixels); not decoded",
        assertInstanceOf(DicomSkip.class, all).reason());
  }

  @Test
  void headerClaimingGigapixelsIsRefusedForItsSizeBeforeItsPixelsAreChecked() throws IOException {
    // given 8 bytes of pixels under a header that claims 60000 x 60000
    Path bomb = HostileFiles.dicomClaiming(dir.resolve("bomb.dcm"), 60_000, 60_000);

    // when
    DicomSkip skip = assertInstanceOf(DicomSkip.class, reader.read(bomb, DicomReader.MIDDLE));

    // then
    assertEquals("image is 60000x60000 = 3,600,000,000 pixels, above this site's limit of 50,000,000 "
        + "(--max-pixels); not decoded", skip.reason());
  }

  @Test
  void fileCutInHalfOrWithAnotherFormatsMagicIsSkipped() throws IOException {
    // given a 64x64 phantom cut in half, and a PNG named .dcm
    DicomPhantoms.generate(dir.resolve("p"), 0, 1, 64, 1);
    Path whole = DicomSource.listFiles(dir.resolve("p"), new java.util.ArrayList<>()).get(0).file();
    Path half = HostileFiles.cutInHalf(whole, dir.resolve("half.dcm"));
    Path png = Files.write(dir.resolve("png.dcm"), HostileFiles.noise("png", 8, 8, 1));

    // when
    DicomSkip cut = assertInstanceOf(DicomSkip.class, reader.read(half, DicomReader.MIDDLE));
    DicomSkip magic = assertInstanceOf(DicomSkip.class, reader.read(png, DicomReader.MIDDLE));

    // then
    assertTrue(cut.reason().startsWith("file is truncated: its pixel data needs 8192 bytes"), cut.reason());
    assertEquals("not a DICOM Part 10 file (no 'DICM' after the 128-byte preamble)", magic.reason());
  }

  @Test
  void corruptNumericElementsAreNamedWithoutQuotingTheirValue() throws IOException {
    // given Rows written as text, as a damaged file might hold a patient's name where a number belongs
    Path file = dir.resolve("rows.dcm");
    gray(8, false, "MONOCHROME2", 2, 2, 1, new byte[4]).text(0x00280008, "IS", "DOE^JANE").write(file);

    // when
    DicomSkip skip = assertInstanceOf(DicomSkip.class, reader.read(file, DicomReader.MIDDLE));

    // then
    assertEquals("corrupt header: (0028,0008) holds 8 characters that are not an integer", skip.reason());
  }

  @Test
  void phantomsReadBackAsCtInHounsfieldUnits() {
    // given
    DicomPhantoms.generate(dir, 0, 4, 32, 5);

    // when
    var results = DicomSource.listFiles(dir, new java.util.ArrayList<>()).stream()
        .map(f -> reader.read(f.file(), DicomReader.MIDDLE)).toList();

    // then corners are air (-1000 HU, site 0 noise sigma 8) and the centre of the lungs is near -850 HU
    assertEquals(4, results.size());
    for (DicomResult r : results) {
      DicomImage image = assertInstanceOf(DicomImage.class, r);
      double[] hu = image.frames().get(0);
      assertEquals("CT", image.modality());
      assertTrue(image.patientId().startsWith("PHANTOM-S00-P"), image.patientId());
      // the patient is in the header only: logs that name a skipped file must not name its patient
      assertTrue(!image.file().toString().contains(image.patientId()), image.file().toString());
      assertEquals(-1000, hu[0], 40);
      assertEquals(-1000, hu[32 * 32 - 1], 40);
      assertTrue(Arrays.stream(hu).allMatch(v -> v == Math.rint(v)), "whole HU");
      int lung = 16 * 32 + 16 - (int) (32 * 0.43 * 0.45);
      assertTrue(hu[lung] < -600 || image.file().getParent().getFileName().toString().equals("nodule"),
          "lung at " + hu[lung]);
    }
  }

  @Test
  void framesOtherThanMiddleOrAllAreABugOfTheCaller() {
    // given / when / then
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> reader.read(dir.resolve("x.dcm"), "first"));
  }

  private static DicomWriter gray(int bits, boolean signed, String photometric, int rows, int columns, int frames,
      byte[] pixels) {
    var w = new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("test/" + Arrays.hashCode(pixels)))
        .us(0x00280002, 1).text(0x00280004, "CS", photometric).us(0x00280010, rows).us(0x00280011, columns)
        .us(0x00280100, bits).us(0x00280101, bits).us(0x00280102, bits - 1).us(0x00280103, signed ? 1 : 0)
        .pixels(pixels, bits == 16);
    return frames > 1 ? w.text(0x00280008, "IS", Integer.toString(frames)) : w;
  }

  private static DicomWriter rgb(int planar, byte[] pixels) {
    return new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("rgb/" + planar))
        .us(0x00280002, 3).text(0x00280004, "CS", "RGB").us(0x00280006, planar).us(0x00280010, 1)
        .us(0x00280011, 2).us(0x00280100, 8).us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0)
        .pixels(pixels, false);
  }

  private static byte[] shorts(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }
}
