package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.job.JobSpec;

class DataInspectorTest {

  @TempDir
  Path data;

  @Test
  void countsLabelsPatientsModalitiesAndSizes() {
    // given 6 phantoms of 24x24 at site 0, two slices per patient
    DicomPhantoms.generate(data, 0, 6, 24, 2);
    var progress = new ArrayList<Integer>();

    // when
    DataInspector.Report report = DataInspector.inspect(data, null, (done, total) -> progress.add(done));

    // then
    assertEquals(6, report.files());
    assertEquals(6, report.imagesPerLabel().values().stream().mapToInt(Integer::intValue).sum());
    assertEquals(3, report.patients());
    assertEquals(Map.of("CT", 6), report.modalities());
    assertEquals(Map.of("24x24x1", 6), report.sizes());
    assertEquals(List.of(), report.unreadable());
    assertEquals(List.of(), report.duplicates());
    assertTrue(report.usable());
    assertEquals(List.of(1, 2, 3, 4, 5, 6), progress);
  }

  @Test
  void findsDuplicatesUnreadableFilesAndJobMismatches() throws IOException {
    // given phantoms, an exact copy under another name, a truncated file and a folder the job does not know
    DicomPhantoms.generate(data, 0, 3, 24, 2);
    Path first = DicomSource.listFiles(data, new ArrayList<>()).get(0).file();
    Files.copy(first, first.resolveSibling("copy.dcm"));
    byte[] bytes = Files.readAllBytes(first);
    Files.write(first.resolveSibling("cut.dcm"), Arrays.copyOf(bytes, bytes.length - 7));
    Files.createDirectories(data.resolve("other"));
    Files.copy(first, data.resolve("other").resolve("x.dcm"));
    JobSpec job = JobSpec.demo(List.of("normal", "nodule", "mass"));

    // when
    DataInspector.Report report = DataInspector.inspect(data, job, null);

    // then
    assertEquals(1, report.duplicates().size());
    assertEquals(3, report.duplicates().get(0).size());
    assertEquals(1, report.unreadable().size());
    assertTrue(report.unreadable().get(0).contains("cut.dcm: file is truncated"), report.unreadable().get(0));
    String problems = String.join("\n", report.jobProblems());
    assertTrue(problems.contains("class 'mass' of the job has no readable image"), problems);
    assertTrue(problems.contains("label 'other' is not a class of the job"), problems);
    assertTrue(problems.contains("are not 28x28"), problems);
    assertTrue(report.usable());
    assertTrue(report.toText().contains("usable: yes"));
  }

  @Test
  void hostileDicomAndPngFilesAreListedAsUnreadableAndNeverOpened() throws Exception {
    // given phantoms with every hostile kind of .dcm beside them, and a PNG folder with every hostile kind of .png
    Path site = data.resolve("site");
    DicomPhantoms.generate(site, 0, 4, 64, 2);
    Path good = DicomSource.listFiles(site, new ArrayList<>()).get(0).file();
    Map<String, String> dicom = HostileFiles.plant(good.getParent(), "dcm", good, data.resolve("outside"));
    Path png = Files.write(data.resolve("good.png"), HostileFiles.noise("png", 16, 16, 3));
    Map<String, String> pngs = HostileFiles.plant(site.resolve("shapes"), "png", png, data.resolve("outside"));
    String label = good.getParent().getFileName().toString();

    // when: bounded, because an inspector that opened the FIFOs would wait for ever
    DataInspector.Report report = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> DataInspector.inspect(site, null, null));

    // then each hostile file is one unreadable line with its reason, and the text report lists them
    assertEquals(dicom.size() + pngs.size(), report.unreadable().size(), report.unreadable().toString());
    dicom.forEach((name, reason) -> assertUnreadable(report, label + "/" + name, reason));
    pngs.forEach((name, reason) -> assertUnreadable(report, "shapes/" + name, reason));
    assertTrue(report.toText().contains("unreadable: " + report.unreadable().size() + "\n"), report.toText());
    assertTrue(report.usable());
  }

  @Test
  void pixelLimitMakesLargerImagesUnreadableAndTheReportGroupsThemByReason() {
    // given 5 phantoms of 32x32 = 1024 pixels
    DicomPhantoms.generate(data, 0, 5, 32, 2);

    // when
    DataInspector.Report report = DataInspector.inspect(data, null, null, 1023);

    // then each file is unreadable for the same reason, which the text gives once with the first 3 files
    String reason = "image is 32x32 = 1,024 pixels, above this site's limit of 1,023 (--max-pixels); not decoded";
    assertEquals(5, report.unreadable().size());
    assertTrue(report.unreadable().get(0).endsWith(": " + reason), report.unreadable().get(0));
    assertEquals(List.of(reason), List.copyOf(report.unreadableByReason().keySet()));
    List<String> files = report.unreadableByReason().get(reason);
    assertEquals(5, files.size());
    assertTrue(report.toText().contains("unreadable: 5\n  5 files: " + reason + "\n    " + String.join(", ",
        files.subList(0, 3)) + " and 2 more (--list-unreadable names them all)\n"), report.toText());
    assertTrue(report.toText(true).contains("unreadable: 5\n" + report.unreadable().stream()
        .map(u -> "  " + u + "\n").collect(java.util.stream.Collectors.joining())), report.toText(true));
    assertFalse(report.usable());
  }

  private static void assertUnreadable(DataInspector.Report report, String name, String reason) {
    List<String> lines = report.unreadable().stream().filter(u -> u.startsWith(name + ": ")).toList();
    assertEquals(1, lines.size(), name + " in " + report.unreadable());
    assertTrue(lines.get(0).contains(reason), lines.get(0));
  }

  @Test
  void dataWithoutAnyImageOfTheJobIsNotUsable() throws IOException {
    // given only a text file under a class folder
    Files.createDirectories(data.resolve("normal"));
    Files.writeString(data.resolve("normal").resolve("scan.dcm"), "not DICOM");

    // when
    DataInspector.Report report = DataInspector.inspect(data, JobSpec.demo(DicomPhantoms.classes()), null);

    // then
    assertFalse(report.usable());
    assertEquals(1, report.unreadable().size());
  }
}
