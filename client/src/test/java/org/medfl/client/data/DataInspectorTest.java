package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
