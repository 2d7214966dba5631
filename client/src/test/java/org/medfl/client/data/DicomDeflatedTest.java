package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deflated Explicit VR Little Endian files written here: the data set of a plain file deflated (raw, no zlib
 * header) reads back to the same values, and a corrupt stream or one that inflates past the pixel limit is skipped
 * with its reason. The temporary inflated copy does not outlive the read. pydicom's own deflated file is compared in
 * {@link DicomPydicomComparisonTest}.
 */
class DicomDeflatedTest {

  @TempDir
  Path dir;

  @Test
  void deflatedCtReadsLikeItsPlainOriginalAndLeavesNoTemporaryCopy() throws Exception {
    // given a signed 16-bit CT slice with rescale, plain and deflated
    Path plain = dir.resolve("plain.dcm");
    ct(shorts(-1, 0, 1024, 3000)).write(plain);
    Path deflated = deflate(plain, dir.resolve("deflated.dcm"));
    long copiesBefore = temporaryCopies();

    // when
    DicomImage expected = (DicomImage) new DicomReader().read(plain, DicomReader.ALL);
    DicomImage image = assertInstanceOf(DicomImage.class, new DicomReader().read(deflated, DicomReader.ALL));

    // then
    assertArrayEquals(new double[] {-1026, -1024, 1024, 4976}, image.frames().get(0));
    assertArrayEquals(expected.frames().get(0), image.frames().get(0));
    assertEquals("P-7", image.patientId());
    assertEquals(deflated, image.file());
    assertEquals(TransferSyntax.DEFLATED, image.transferSyntaxUid());
    assertEquals(copiesBefore, temporaryCopies());
  }

  @Test
  void corruptOrOversizedDeflateStreamsAreSkippedWithTheirReason() throws Exception {
    // given a deflated file cut short, and one whose 20 MB of zeros inflate past what a 100-pixel limit allows
    Path plain = dir.resolve("plain.dcm");
    ct(shorts(-1, 0, 1024, 3000)).write(plain);
    Path cut = deflate(plain, dir.resolve("cut.dcm"));
    byte[] bytes = Files.readAllBytes(cut);
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 20));
    Path large = dir.resolve("large.dcm");
    new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("deflate/large")).us(0x00280002, 1)
        .text(0x00280004, "CS", "MONOCHROME2").us(0x00280010, 64).us(0x00280011, 64).us(0x00280100, 8)
        .us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0).pixels(new byte[64 * 64 * 5000], false).write(large);
    Path bomb = deflate(large, dir.resolve("bomb.dcm"));
    long copiesBefore = temporaryCopies();

    // when
    DicomSkip truncated = assertInstanceOf(DicomSkip.class, new DicomReader().read(cut, DicomReader.ALL));
    DicomSkip oversized = assertInstanceOf(DicomSkip.class, new DicomReader(100).read(bomb, DicomReader.ALL));

    // then
    assertTrue(truncated.reason().contains("deflated data set is truncated"), truncated.reason());
    assertTrue(oversized.reason().contains("inflates to more than"), oversized.reason());
    assertTrue(truncated.reason().contains("dcmconv") && oversized.reason().contains("dcmconv"));
    assertEquals(copiesBefore, temporaryCopies());
  }

  private static DicomWriter ct(byte[] pixels) {
    return new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.2", DicomWriter.uid("deflate/" + Arrays.hashCode(pixels)))
        .us(0x00280002, 1).text(0x00280004, "CS", "MONOCHROME2").us(0x00280010, 2).us(0x00280011, 2)
        .us(0x00280100, 16).us(0x00280101, 16).us(0x00280102, 15).us(0x00280103, 1)
        .text(0x00100020, "LO", "P-7").text(0x00281052, "DS", "-1024").text(0x00281053, "DS", "2")
        .pixels(pixels, true);
  }

  /** {@code plain} with its data set deflated (PS3.5 A.5) and its meta group naming the deflated syntax. */
  private static Path deflate(Path plain, Path out) throws Exception {
    DicomFileMeta meta = DicomFileMeta.read(plain);
    byte[] bytes = Files.readAllBytes(plain);
    var file = new ByteArrayOutputStream();
    file.writeBytes(new byte[DicomFileMeta.PREAMBLE]);
    file.writeBytes("DICM".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    file.writeBytes(DicomFileMeta.explicitElement(0x00020010, "UI",
        (TransferSyntax.DEFLATED + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII), false));
    file.writeBytes(meta.otherElements());
    var deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try (var stream = new DeflaterOutputStream(file, deflater)) {
      stream.write(bytes, (int) meta.dataSetOffset(), bytes.length - (int) meta.dataSetOffset());
    }
    deflater.end();
    Files.write(out, file.toByteArray());
    return out;
  }

  private static long temporaryCopies() throws Exception {
    try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith("medfl-inflated-")).count();
    }
  }

  private static byte[] shorts(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }
}
