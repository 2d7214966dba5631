package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * JPEG Lossless (Process 14) DICOM, checked by the one property that defines it: a file compressed by another
 * toolkit (dcmtk's {@code dcmcjpeg}, every predictor) must decode to exactly the values of its uncompressed original,
 * whose own decoding {@link DicomPydicomComparisonTest} checks against pydicom. A lossless file written by GDCM (from
 * pydicom's test set, which pydicom here cannot decode) is checked against dcmtk's {@code dcmdjpeg}. Skipped, with
 * the reason shown, only where dcmtk is missing; under CI, where .ci/run installs it, its absence fails.
 */
class DicomJpegLosslessTest {

  private static final Path DCMCJPEG = Path.of("/usr/bin/dcmcjpeg");
  private static final Path DCMDJPEG = Path.of("/usr/bin/dcmdjpeg");
  private static final Path GDCM_LOSSLESS_RGB =
      Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files/SC_rgb_jpeg_gdcm.dcm");
  private static final int ROWS = 24;
  private static final int COLUMNS = 20;
  private static final int DRAWS = 6;

  @TempDir
  Path dir;

  private final DicomReader reader = new DicomReader();

  @ParameterizedTest(name = "{0} bits allocated, {1} stored, signed {2}, {3} samples, {4} frames")
  @CsvSource({
      "8, 8, false, 1, 1",
      "8, 7, true, 1, 1",
      "16, 12, false, 1, 1",
      "16, 12, true, 1, 1",
      "16, 16, true, 1, 3",
      "16, 16, false, 1, 1",
      "8, 8, false, 3, 2"})
  void everyPredictorDecodesToTheUncompressedValues(int allocated, int stored, boolean signed, int samples,
      int frames) throws Exception {
    // given an uncompressed original whose values span the whole stored range, and dcmtk's lossless encodings of it
    // with each of the seven predictors (SV1 under .70, all seven under .57)
    // (several noise draws: how the last sample's code meets the end of the stream depends on the data)
    assumeDcmtk();
    for (int draw = 0; draw < DRAWS; draw++) {
      Path original = dir.resolve("original-" + draw + ".dcm");
      image(allocated, stored, signed, samples, frames, draw).write(original);
      DicomImage expected = assertInstanceOf(DicomImage.class, reader.read(original, DicomReader.ALL));
      var encodings = new ArrayList<Path>();
      encodings.add(dcmtk(DCMCJPEG, original, draw + "-sv1.dcm", "+e1"));
      for (int predictor = 1; predictor <= 7; predictor++) {
        encodings.add(dcmtk(DCMCJPEG, original, draw + "-sv" + predictor + "-any.dcm", "+el", "+sv", "" + predictor));
      }

      for (Path encoded : encodings) {
        // when
        DicomResult result = reader.read(encoded, DicomReader.ALL);

        // then every value of every frame is the original's, after the same rescale
        DicomImage image = assertInstanceOf(DicomImage.class, result, () -> encoded + ": " + result);
        assertTrue(TransferSyntax.jpegLossless(image.transferSyntaxUid()), image.transferSyntaxUid());
        assertEquals(frames, image.frames().size());
        for (int k = 0; k < frames; k++) {
          assertArrayEquals(expected.frames().get(k), image.frames().get(k), 0.0,
              encoded.getFileName() + " frame " + k);
        }
      }
    }
  }

  @Test
  void gdcmsLosslessColourFileDecodesAsDcmtkDecodesIt() throws Exception {
    // given an RGB JPEG Lossless file written by GDCM, and dcmtk's decompression of it
    assumeDcmtk();
    assumePresent(Files.isRegularFile(GDCM_LOSSLESS_RGB),
        GDCM_LOSSLESS_RGB + " is missing (Debian: apt-get install python3-pydicom)");
    Path decompressed = dcmtk(DCMDJPEG, GDCM_LOSSLESS_RGB, "gdcm-raw.dcm");

    // when
    DicomImage ours = assertInstanceOf(DicomImage.class, reader.read(GDCM_LOSSLESS_RGB, DicomReader.ALL));
    DicomImage theirs = assertInstanceOf(DicomImage.class, reader.read(decompressed, DicomReader.ALL));

    // then
    assertEquals(TransferSyntax.JPEG_LOSSLESS_SV1, ours.transferSyntaxUid());
    assertEquals(3, ours.samplesPerPixel());
    assertArrayEquals(theirs.frames().get(0), ours.frames().get(0), 0.0);
  }

  @Test
  void aTruncatedLosslessStreamIsSkippedWithItsReason() throws Exception {
    // given a lossless stream cut in half, rewrapped as a whole frame
    assumeDcmtk();
    Path original = dir.resolve("original.dcm");
    image(16, 16, true, 1, 1, 0).write(original);
    byte[] stream = firstStream(dcmtk(DCMCJPEG, original, "sv1.dcm", "+e1"));
    Path cut = dir.resolve("cut.dcm");
    header(16, 16, true, 1, 1).encapsulated(TransferSyntax.JPEG_LOSSLESS_SV1,
        List.of(Arrays.copyOf(stream, stream.length / 2)), 1, false).write(cut);

    // when
    DicomSkip skip = assertInstanceOf(DicomSkip.class, reader.read(cut, DicomReader.ALL));

    // then
    assertTrue(skip.reason().contains("JPEG") && skip.reason().contains("dcmdjpeg"), skip.reason());
  }

  @Test
  void aStreamWhoseProcessContradictsTheTransferSyntaxIsRefused() throws Exception {
    // given a lossy Baseline stream under a lossless syntax, and (where dcmtk is present) the reverse
    var gray = new BufferedImage(COLUMNS, ROWS, BufferedImage.TYPE_BYTE_GRAY);
    var out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(gray, "jpg", out));
    Path lossyAsLossless = dir.resolve("lossy-as-lossless.dcm");
    header(8, 8, false, 1, 1).encapsulated(TransferSyntax.JPEG_LOSSLESS_SV1, List.of(out.toByteArray()), 1, false)
        .write(lossyAsLossless);

    // when
    DicomSkip lossy = assertInstanceOf(DicomSkip.class, reader.read(lossyAsLossless, DicomReader.ALL));

    // then
    assertTrue(lossy.reason().contains("says JPEG Lossless but the stream is process SOF0"), lossy.reason());

    assumeDcmtk();
    Path original = dir.resolve("original.dcm");
    image(8, 8, false, 1, 1, 0).write(original);
    Path losslessAsBaseline = dir.resolve("lossless-as-baseline.dcm");
    header(8, 8, false, 1, 1).encapsulated(TransferSyntax.JPEG_BASELINE,
        List.of(firstStream(dcmtk(DCMCJPEG, original, "sv1.dcm", "+e1"))), 1, false).write(losslessAsBaseline);
    DicomSkip lossless = assertInstanceOf(DicomSkip.class, reader.read(losslessAsBaseline, DicomReader.ALL));
    assertTrue(lossless.reason().contains("says JPEG Baseline but the stream is lossless"), lossless.reason());
  }

  @Test
  void sixteenBitColourIsRefusedBeforeDecodingNamingAConverter() throws Exception {
    // given a header for 16-bit RGB under JPEG Lossless, which the decoder does not handle
    Path file = dir.resolve("rgb16.dcm");
    header(16, 16, false, 3, 1).encapsulated(TransferSyntax.JPEG_LOSSLESS_SV1, List.of(new byte[] {1, 2}), 1, false)
        .write(file);

    // when
    DicomSkip skip = assertInstanceOf(DicomSkip.class, reader.read(file, DicomReader.ALL));

    // then
    assertTrue(skip.reason().contains("only 8 or 16 bits gray, 8 bits colour") && skip.reason().contains("dcmdjpeg"),
        skip.reason());
  }

  /** An uncompressed image whose values (random, plus the stored range's two ends) all fit Bits Stored. */
  private static DicomWriter image(int allocated, int stored, boolean signed, int samples, int frames, int draw) {
    var random = new SplittableRandom(draw * 100_000L + allocated * 1000L + stored * 10L + samples);
    long min = signed ? -(1L << (stored - 1)) : 0;
    long max = signed ? (1L << (stored - 1)) - 1 : (1L << stored) - 1;
    int count = ROWS * COLUMNS * samples * frames;
    ByteBuffer pixels = ByteBuffer.allocate(count * allocated / 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      // Smooth gradients with noise, as images are, so that every predictor has something to predict.
      long v = i == 0 ? min : i == 1 ? max
          : Math.max(min, Math.min(max, min + (max - min) * (i % COLUMNS) / COLUMNS + random.nextLong(-9, 10)));
      if (allocated == 8) {
        pixels.put((byte) v);
      } else {
        pixels.putShort((short) v);
      }
    }
    var w = header(allocated, stored, signed, samples, frames).pixels(pixels.array(), allocated == 16);
    // A CT-like rescale on signed 16-bit data, so the comparison covers it too.
    return allocated == 16 && signed ? w.text(0x00281052, "DS", "-1024").text(0x00281053, "DS", "1") : w;
  }

  private static DicomWriter header(int allocated, int stored, boolean signed, int samples, int frames) {
    var w = new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("lossless/" + allocated + "/" + stored))
        .us(0x00280002, samples).text(0x00280004, "CS", samples == 3 ? "RGB" : "MONOCHROME2")
        .us(0x00280010, ROWS).us(0x00280011, COLUMNS).us(0x00280100, allocated).us(0x00280101, stored)
        .us(0x00280102, stored - 1).us(0x00280103, signed ? 1 : 0);
    if (samples == 3) {
      w.us(0x00280006, 0);
    }
    return frames > 1 ? w.text(0x00280008, "IS", Integer.toString(frames)) : w;
  }

  /** Runs a dcmtk tool on {@code in} with {@code options}, writing {@code name} in the temp folder. */
  private Path dcmtk(Path tool, Path in, String name, String... options) throws Exception {
    Path target = dir.resolve(name);
    var command = new ArrayList<>(List.of(tool.toString()));
    command.addAll(List.of(options));
    command.addAll(List.of(in.toString(), target.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), tool + " did not finish");
    assertEquals(0, p.exitValue(), command + ": " + output);
    return target;
  }

  /** The first JPEG stream of an encapsulated file: its SOI to its EOI (entropy data never holds either marker). */
  private static byte[] firstStream(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    int start = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, 0);
    int end = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xD9}, start);
    assertTrue(start > 0 && end > start, "no JPEG stream in " + file);
    return Arrays.copyOfRange(bytes, start, end + 2);
  }

  private static int indexOf(byte[] bytes, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= bytes.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (bytes[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Skips, saying why, where dcmtk is not installed; under CI, where .ci/run installs it, its absence means the
   * install broke, so the test fails instead of quietly skipping.
   */
  private static void assumeDcmtk() {
    assumePresent(Files.isExecutable(DCMCJPEG) && Files.isExecutable(DCMDJPEG),
        "dcmtk's dcmcjpeg/dcmdjpeg are missing (Debian: apt-get install dcmtk)");
  }

  private static void assumePresent(boolean present, String reason) {
    if ("true".equals(System.getenv("CI"))) {
      assertTrue(present, reason + "; .ci/run should have installed it");
    }
    Assumptions.assumeTrue(present, reason);
  }
}
