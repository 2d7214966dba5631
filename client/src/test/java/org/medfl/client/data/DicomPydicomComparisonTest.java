package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decodes every file of pydicom's own test set with pydicom (the reference) and with {@link DicomReader}: where
 * both read a file the values after the modality rescale must be identical, bit for bit (both compute
 * {@code stored * slope + intercept} in float64); where only pydicom reads it our skip reason must name a
 * conversion tool. Skipped, with the reason shown, only where /usr/bin/python3 with pydicom is missing.
 */
class DicomPydicomComparisonTest {

  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final List<String> TOOLS = List.of("dcmdjpeg", "dcmdjpls", "dcmdrle", "dcmconv", "gdcmconv");

  @TempDir
  Path out;

  @Test
  void decodesEveryPydicomTestFileIdenticallyOrSkipsWithAConversionTool() throws Exception {
    // given pydicom's decoding of its own test files
    assumePydicom();
    List<String> manifest = decodeWithPydicom(null);
    Path root = Path.of(manifest.get(0));

    // when every file is read by our reader too
    var reader = new DicomReader();
    int identical = 0;
    int identicalJpeg = 0;
    int identicalRle = 0;
    int onlyPydicom = 0;
    int neither = 0;
    int onlyOurs = 0;
    var mismatches = new ArrayList<String>();
    var unclearSkips = new ArrayList<String>();
    var lines = new ArrayList<String>();
    for (String line : manifest.subList(1, manifest.size())) {
      String[] f = line.split("\t");
      String status = f[0];
      Path file = root.resolve(f[1]);
      DicomResult ours = reader.read(file, DicomReader.ALL);
      if (status.equals("ok") && ours instanceof DicomImage image) {
        String difference = compare(image, f, out.resolve(f[6]));
        if (difference == null) {
          identical++;
          identicalJpeg += TransferSyntax.JPEG_BASELINE.equals(image.transferSyntaxUid()) ? 1 : 0;
          identicalRle += TransferSyntax.RLE.equals(image.transferSyntaxUid()) ? 1 : 0;
        } else {
          mismatches.add(f[1] + ": " + difference);
        }
      } else if (status.equals("ok") && ours instanceof DicomSkip skip) {
        onlyPydicom++;
        lines.add("  only pydicom: " + f[1] + " -> " + skip.reason());
        if (TOOLS.stream().noneMatch(skip.reason()::contains)) {
          unclearSkips.add(f[1] + ": " + skip.reason());
        }
      } else if (ours instanceof DicomSkip skip) {
        neither++;
        lines.add("  neither: " + f[1] + " (pydicom " + status + ") -> " + skip.reason());
      } else {
        onlyOurs++;
        lines.add("  only ours: " + f[1] + " (pydicom " + status + ": " + f[7] + ")");
      }
    }
    System.out.printf("pydicom comparison: %d files; both read, identical: %d (JPEG baseline: %d, RLE: %d); only "
        + "pydicom reads: %d; neither: %d; only ours reads: %d; mismatches: %d%n", manifest.size() - 1, identical,
        identicalJpeg, identicalRle, onlyPydicom, neither, onlyOurs, mismatches.size());
    lines.forEach(System.out::println);

    // then
    assertEquals(List.of(), mismatches, "values differ from pydicom");
    assertEquals(List.of(), unclearSkips, "skips of files pydicom reads must name a conversion tool");
    assertTrue(identical >= 20, "too few files compared (" + identical + "); the test set looks incomplete");
    assertTrue(identicalJpeg >= 10, "too few JPEG baseline files compared (" + identicalJpeg + ")");
    assertTrue(identicalRle >= 5, "too few RLE files compared (" + identicalRle + ")");
  }

  @Test
  void pydicomReadsOurPhantomsWithTheSameHounsfieldUnits() throws Exception {
    // given
    assumePydicom();
    Path site = out.resolve("site");
    DicomPhantoms.generate(site, 1, 6, 24, 9);

    // when
    List<String> manifest = decodeWithPydicom(site);

    // then
    assertEquals(7, manifest.size());
    var reader = new DicomReader();
    for (String line : manifest.subList(1, manifest.size())) {
      String[] f = line.split("\t");
      assertEquals("ok", f[0], line);
      DicomImage ours = (DicomImage) reader.read(site.resolve(f[1]), DicomReader.ALL);
      assertEquals(null, compare(ours, f, out.resolve(f[6])), f[1]);
    }
  }

  /** Runs the script on {@code root} (null: pydicom's test files); its manifest, first line the root. */
  private List<String> decodeWithPydicom(Path root) throws Exception {
    Path script = out.resolve("pydicom_decode.py");
    try (InputStream in = getClass().getResourceAsStream("/dicom/pydicom_decode.py")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    var command = new ArrayList<>(List.of(PYTHON.toString(), script.toString(), out.toString()));
    if (root != null) {
      command.add(root.toString());
    }
    Process python = new ProcessBuilder(command).redirectErrorStream(true).start();
    String pythonOutput = new String(python.getInputStream().readAllBytes());
    assertTrue(python.waitFor(120, TimeUnit.SECONDS), "pydicom did not finish");
    assertEquals(0, python.exitValue(), pythonOutput);
    return Files.readAllLines(out.resolve("manifest.tsv"));
  }

  /** Null when shapes and every value match exactly; else what differs. */
  private static String compare(DicomImage image, String[] f, Path data) throws IOException {
    int frames = Integer.parseInt(f[2]);
    int rows = Integer.parseInt(f[3]);
    int columns = Integer.parseInt(f[4]);
    int samples = Integer.parseInt(f[5]);
    String theirs = frames + "x" + rows + "x" + columns + "x" + samples;
    String mine = image.frames().size() + "x" + image.rows() + "x" + image.columns() + "x" + image.samplesPerPixel();
    if (!theirs.equals(mine)) {
      return "shape " + mine + ", pydicom " + theirs;
    }
    ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(data)).order(ByteOrder.LITTLE_ENDIAN);
    int differing = 0;
    String first = null;
    for (int k = 0; k < frames; k++) {
      double[] values = image.frames().get(k);
      for (int i = 0; i < values.length; i++) {
        double theirValue = expected.getDouble();
        if (Double.doubleToLongBits(theirValue) != Double.doubleToLongBits(values[i])) {
          differing++;
          first = first != null ? first : "frame " + k + " value " + i + ": " + values[i] + " vs " + theirValue;
        }
      }
    }
    return differing == 0 ? null : differing + " values differ, first at " + first;
  }

  /**
   * Skips, saying why, where pydicom is not installed; under CI, where .ci/run installs it, its absence means the
   * install broke, so the test fails instead of quietly skipping.
   */
  private static void assumePydicom() throws Exception {
    boolean present = Files.isExecutable(PYTHON);
    if (present) {
      Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import pydicom, numpy, PIL").redirectErrorStream(true)
          .start();
      p.getInputStream().readAllBytes();
      present = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
    String reason = "pydicom, numpy or Pillow is missing for " + PYTHON
        + " (Debian: apt-get install python3-pydicom python3-numpy python3-pil)";
    if ("true".equals(System.getenv("CI"))) {
      assertTrue(present, reason + "; .ci/run should have installed them");
    }
    Assumptions.assumeTrue(present, reason);
  }
}
