package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.job.PreprocessingSpec;

class DicomSourceTest {

  private static final List<String> CLASSES = DicomPhantoms.classes();

  @TempDir
  Path data;

  @Test
  void loadsPhantomFoldersWithLabelsAndDicomPatientIds() {
    // given
    DicomPhantoms.generate(data, 2, 8, 24, 3);

    // when
    var loaded = DicomSource.load(data, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults());

    // then
    LabeledImages images = loaded.images();
    assertArrayEquals(new long[] {8, 1, 16, 16}, images.features().shape());
    assertEquals(8, loaded.report().loaded());
    assertEquals(8, loaded.report().perClass().values().stream().mapToInt(Integer::intValue).sum());
    assertTrue(images.patientIds().stream().allMatch(p -> p.startsWith("PHANTOM-S02-P")), images.patientIds()
        .toString());
    assertTrue(images.features().minNumber().doubleValue() >= 0 && images.features().maxNumber().doubleValue() <= 1);
  }

  @Test
  void manifestLabelsFilesAndItsPatientIdWins() throws IOException {
    // given phantoms listed in a manifest with a header, one line naming its own patient
    DicomPhantoms.generate(data, 0, 4, 16, 1);
    List<String> lines = new java.util.ArrayList<>(List.of("path,label,patient_id"));
    for (var f : DicomSource.listFiles(data, new java.util.ArrayList<>())) {
      lines.add(data.relativize(f.file()) + "," + f.label() + (lines.size() == 1 ? ",HOSPITAL-42" : ""));
    }
    Files.write(data.resolve(LabelManifest.FILE_NAME), lines);

    // when
    var loaded = DicomSource.load(data, CLASSES, 16, 16, 3, DicomReader.MIDDLE, PreprocessingSpec.defaults());

    // then
    assertEquals(4, loaded.images().size());
    assertEquals(3, loaded.images().features().size(1));
    assertEquals("HOSPITAL-42", loaded.images().patientIds().get(0));
    assertTrue(loaded.images().patientIds().get(1).startsWith("PHANTOM-"));
    assertEquals(List.of(), loaded.report().problems());
  }

  @Test
  void manifestCannotReachOutsideTheDataFolder() throws IOException {
    // given a file outside the data folder, named by "..", by an absolute path and through a symbolic link
    Path site = Files.createDirectories(data.resolve("site"));
    Path outside = data.resolve("secret.dcm");
    DicomPhantoms.generate(data.resolve("elsewhere"), 0, 1, 16, 1);
    Files.copy(DicomSource.listFiles(data.resolve("elsewhere"), new java.util.ArrayList<>()).get(0).file(), outside);
    Files.createSymbolicLink(site.resolve("link.dcm"), outside);
    Files.write(site.resolve(LabelManifest.FILE_NAME), List.of("../secret.dcm,normal", outside + ",normal",
        "link.dcm,normal"));

    // when
    LabelManifest manifest = LabelManifest.read(site.resolve(LabelManifest.FILE_NAME));

    // then every line is refused, none is a malformed-line problem, and nothing is left to load
    assertEquals(3, manifest.entries().size());
    assertEquals(List.of(), manifest.problems());
    assertTrue(manifest.entries().stream().allMatch(e -> e.refusal() != null && e.refusal().contains("leads outside")),
        manifest.entries().toString());
    assertThrows(DataException.class, () -> DicomSource.load(site, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults()));
  }

  @Test
  void hostileFilesAreSkippedWithOneReasonEachAndNothingOutsideIsRead() throws Exception {
    // given 6 phantoms of 64x64, one file of every hostile kind beside the first, and a label folder linked to /etc
    Path site = data.resolve("site");
    DicomPhantoms.generate(site, 0, 6, 64, 1);
    Path good = DicomSource.listFiles(site, new java.util.ArrayList<>()).get(0).file();
    String label = good.getParent().getFileName().toString();
    Map<String, String> expected = HostileFiles.plant(good.getParent(), "dcm", good, data.resolve("outside"));
    Files.createSymbolicLink(site.resolve("etc"), Path.of("/etc"));

    // when: bounded, because a reader that opened the FIFO would wait for ever
    var loaded = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> DicomSource.load(site, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults()));

    // then the 6 phantoms load (7 where root reads the mode-000 copy), and each hostile file has one line
    boolean lockedRead = !expected.containsKey("locked.dcm");
    assertEquals(6 + (lockedRead ? 1 : 0), loaded.report().loaded(), loaded.report().problems().toString());
    assertEquals(expected.size(), loaded.report().skipped());
    List<String> problems = loaded.report().problems();
    expected.forEach((name, reason) -> {
      List<String> lines = problems.stream().filter(p -> p.startsWith(label + "/" + name + ": ")).toList();
      assertEquals(1, lines.size(), name + " in " + problems);
      assertTrue(lines.get(0).contains(reason), lines.get(0));
    });
    assertTrue(problems.contains("folder 'etc' leads outside the data folder (symbolic link); not read"),
        problems.toString());
    assertEquals(expected.size() + 1, problems.size(), problems.toString());
  }

  @Test
  void manifestLinesNamingHostileFilesAreSkippedWithTheirLine() throws Exception {
    // given phantoms, a FIFO, an empty file and a link to /etc/passwd, and a manifest naming them all, plus
    // ../../etc/passwd and /etc/passwd
    DicomPhantoms.generate(data, 0, 2, 16, 1);
    List<String> lines = new java.util.ArrayList<>();
    for (var f : DicomSource.listFiles(data, new java.util.ArrayList<>())) {
      lines.add(data.relativize(f.file()) + "," + f.label());
    }
    HostileFiles.fifo(data.resolve("fifo.dcm"));
    Files.write(data.resolve("empty.dcm"), new byte[0]);
    Files.createSymbolicLink(data.resolve("passwd.dcm"), Path.of("/etc/passwd"));
    lines.addAll(List.of("fifo.dcm,normal", "empty.dcm,normal", "passwd.dcm,normal", "../../etc/passwd,normal",
        "/etc/passwd,normal", "missing.dcm,normal"));
    Files.write(data.resolve(LabelManifest.FILE_NAME), lines);

    // when
    var loaded = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> DicomSource.load(data, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults()));

    // then
    assertEquals(2, loaded.report().loaded());
    assertEquals(6, loaded.report().skipped());
    assertEquals(List.of(
        "manifest.csv line 3: 'fifo.dcm': a FIFO (named pipe), not a regular file; not opened",
        "manifest.csv line 4: 'empty.dcm': empty file (0 bytes)",
        "manifest.csv line 5: 'passwd.dcm': leads outside the data folder (symbolic link); not read",
        "manifest.csv line 6: '../../etc/passwd' leads outside " + data + "; give paths inside the manifest's folder",
        "manifest.csv line 7: '/etc/passwd' leads outside " + data + "; give paths inside the manifest's folder",
        "manifest.csv line 8: 'missing.dcm': no such file"), loaded.report().problems());
  }

  @Test
  void manifestThatIsAFifoOrALinkOutsideIsRefusedByName() throws Exception {
    // given one folder whose manifest.csv is a FIFO, one whose manifest.csv links to a manifest outside
    Path fifoSite = Files.createDirectories(data.resolve("a"));
    HostileFiles.fifo(fifoSite.resolve(LabelManifest.FILE_NAME));
    Path linkSite = Files.createDirectories(data.resolve("b"));
    Path elsewhere = Files.writeString(data.resolve("elsewhere.csv"), "x.dcm,normal\n");
    Files.createSymbolicLink(linkSite.resolve(LabelManifest.FILE_NAME), elsewhere);

    // when
    var fifo = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(DataException.class,
        () -> DicomSource.load(fifoSite, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults())));
    var link = assertThrows(DataException.class,
        () -> DicomSource.load(linkSite, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults()));

    // then
    assertTrue(fifo.getMessage().contains("manifest.csv cannot be used: a FIFO (named pipe)"), fifo.getMessage());
    assertTrue(link.getMessage().contains("manifest.csv cannot be used: leads outside the data folder"),
        link.getMessage());
    assertEquals(SiteData.Kind.DICOM, SiteData.kindOf(fifoSite, CLASSES));
  }

  @Test
  void pixelLimitSkipsLargerFilesBeforeDecoding() {
    // given 2 phantoms of 32x32 = 1024 pixels
    DicomPhantoms.generate(data, 0, 2, 32, 1);

    // when the limit is 1024 pixels, then 1023
    var atLimit = DicomSource.load(data, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults(), 1024);
    var e = assertThrows(DataException.class,
        () -> DicomSource.load(data, CLASSES, 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults(), 1023));

    // then
    assertEquals(2, atLimit.report().loaded());
    assertTrue(e.getMessage().contains("image is 32x32 = 1,024 pixels, above this site's limit of 1,023 "
        + "(--max-pixels); not decoded"), e.getMessage());
  }

  @Test
  void badFilesAreReportedAndTheRestLoads() throws IOException {
    // given two phantoms, a truncated copy and a stray text file
    DicomPhantoms.generate(data, 0, 2, 16, 1);
    Path first = DicomSource.listFiles(data, new java.util.ArrayList<>()).get(0).file();
    byte[] bytes = Files.readAllBytes(first);
    Files.write(first.resolveSibling("cut.dcm"), java.util.Arrays.copyOf(bytes, bytes.length - 10));
    Files.writeString(first.resolveSibling("readme.txt"), "hello");

    // when
    var loaded = DicomSource.load(data, CLASSES, 16, 16, 1, DicomReader.ALL, PreprocessingSpec.defaults());

    // then
    assertEquals(2, loaded.report().loaded());
    assertEquals(1, loaded.report().skipped());
    assertTrue(loaded.report().problems().stream().anyMatch(p -> p.contains("cut.dcm") && p.contains("truncated")),
        loaded.report().problems().toString());
    assertTrue(loaded.report().problems().stream().anyMatch(p -> p.contains("not DICOM")));
  }

  @Test
  void dicomGetsTheJobsPaddingAndZScoreLikeAnyImage() throws IOException {
    // given: one 4x2 (wide) 8-bit slice whose values 0..255 map to [0, 1] by their own min-max
    Path folder = Files.createDirectories(data.resolve("normal"));
    new DicomWriter().sop("1.2.840.10008.5.1.4.1.1.7", DicomWriter.uid("wide"))
        .us(0x00280002, 1).text(0x00280004, "CS", "MONOCHROME2").us(0x00280010, 2).us(0x00280011, 4)
        .us(0x00280100, 8).us(0x00280101, 8).us(0x00280102, 7).us(0x00280103, 0)
        .pixels(new byte[] {0, 0, (byte) 255, (byte) 255, 0, 0, (byte) 255, (byte) 255}, false)
        .write(folder.resolve("wide.dcm"));
    PreprocessingSpec pad = new PreprocessingSpec("pad", null, "unit", 0, 1);
    PreprocessingSpec zscore = new PreprocessingSpec("pad", null, "zscore", 0.5, 0.25);

    // when: loaded into a 4x4 model input
    float[] padded = DicomSource.load(data, CLASSES, 4, 4, 1, DicomReader.MIDDLE, pad).images().features()
        .reshape(16).toFloatVector();
    float[] normalised = DicomSource.load(data, CLASSES, 4, 4, 1, DicomReader.MIDDLE, zscore).images().features()
        .reshape(16).toFloatVector();

    // then: the image keeps its aspect in the middle two rows, the margins take its minimum, z-score follows
    for (int x = 0; x < 4; x++) {
      assertEquals(0f, padded[x], 1e-6, "top margin");
      assertEquals(0f, padded[12 + x], 1e-6, "bottom margin");
    }
    assertEquals(0f, padded[4], 1e-6);
    assertEquals(1f, padded[7], 1e-6);
    for (int i = 0; i < 16; i++) {
      assertEquals((padded[i] - 0.5f) / 0.25f, normalised[i], 1e-5);
    }
  }
}
