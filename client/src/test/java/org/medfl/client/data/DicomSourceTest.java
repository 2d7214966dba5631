package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomSourceTest {

  private static final List<String> CLASSES = DicomPhantoms.classes();

  @TempDir
  Path data;

  @Test
  void loadsPhantomFoldersWithLabelsAndDicomPatientIds() {
    // given
    DicomPhantoms.generate(data, 2, 8, 24, 3);

    // when
    var loaded = DicomSource.load(data, CLASSES, 16, 16, 1, DicomReader.MIDDLE, null);

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
    var loaded = DicomSource.load(data, CLASSES, 16, 16, 3, DicomReader.MIDDLE, null);

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

    // then
    assertEquals(List.of(), manifest.entries());
    assertEquals(3, manifest.problems().size());
    assertTrue(manifest.problems().stream().allMatch(p -> p.contains("leads outside")), manifest.problems()
        .toString());
    assertThrows(DataException.class, () -> DicomSource.load(site, CLASSES, 16, 16, 1, DicomReader.MIDDLE, null));
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
    var loaded = DicomSource.load(data, CLASSES, 16, 16, 1, DicomReader.ALL, null);

    // then
    assertEquals(2, loaded.report().loaded());
    assertEquals(1, loaded.report().skipped());
    assertTrue(loaded.report().problems().stream().anyMatch(p -> p.contains("cut.dcm") && p.contains("truncated")),
        loaded.report().problems().toString());
    assertTrue(loaded.report().problems().stream().anyMatch(p -> p.contains("not DICOM")));
  }
}
