package org.medfl.client.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.job.JobSpec;

class SiteDataTest {

  @TempDir
  Path data;

  @Test
  void pngFoldersGoToTheImageReader() {
    // given
    DemoData.generate(data, 0, 12, 28, 1);

    // when
    var loaded = SiteData.load(data, job(DemoData.classes(), 28, ""));

    // then
    assertEquals(SiteData.Kind.IMAGES, SiteData.kindOf(data, DemoData.classes()));
    assertEquals(12, loaded.report().loaded());
    assertEquals(List.of(), loaded.report().problems());
  }

  @Test
  void dicomFoldersGoToTheDicomReaderWithTheJobsWindow() {
    // given phantoms whose mediastinum (image centre) is soft tissue, about 40 HU
    DicomPhantoms.generate(data, 0, 6, 32, 1);
    JobSpec windowed = job(DicomPhantoms.classes(), 32, "preprocessing: {window: {center: 40, width: 4000}}");

    // when
    var loaded = SiteData.load(data, windowed);

    // then 40 HU sits in the middle of the window; min-max scaling would have put it near 1
    assertEquals(SiteData.Kind.DICOM, SiteData.kindOf(data, DicomPhantoms.classes()));
    assertEquals(6, loaded.report().loaded());
    double centre = loaded.images().features().getDouble(0, 0, 16, 16);
    assertEquals(0.51, centre, 0.02);
  }

  @Test
  void aManifestGoesToTheDicomReaderEvenWhenFoldersAreNotLabels() throws IOException {
    // given files under a folder that is no class, labelled only by the manifest
    Path scans = data.resolve("scans");
    DicomPhantoms.generate(scans, 1, 4, 16, 2);
    List<String> lines = new ArrayList<>();
    for (var f : DicomSource.listFiles(scans, new ArrayList<>())) {
      lines.add(data.relativize(f.file()) + "," + f.label());
    }
    Files.write(data.resolve(LabelManifest.FILE_NAME), lines);

    // when
    var loaded = SiteData.load(data, job(DicomPhantoms.classes(), 16, ""));

    // then
    assertEquals(4, loaded.report().loaded());
  }

  @Test
  void pngImagesAmongDicomAreReportedNotMixedIn() throws IOException {
    // given phantoms, plus two PNG shapes dropped into the nodule folder
    DicomPhantoms.generate(data, 0, 6, 28, 1);
    Path shapes = data.resolve("shapes");
    DemoData.generate(shapes, 0, 2, 28, 1);
    try (var pngs = Files.walk(shapes)) {
      for (Path png : pngs.filter(Files::isRegularFile).toList()) {
        Files.copy(png, data.resolve("nodule").resolve(png.getFileName()));
      }
    }

    // when
    var loaded = SiteData.load(data, job(DicomPhantoms.classes(), 28, ""));

    // then only the DICOM files are used, and one problem line counts the PNGs
    assertEquals(6, loaded.report().loaded());
    assertTrue(loaded.report().problems().contains("2 PNG/JPEG images under the class folders were not used: this "
        + "site holds DICOM, and a site reads one kind of file per job; move them out or list DICOM only"),
        loaded.report().problems().toString());
  }

  @Test
  void dicomAmongPngFoldersIsReportedWhenTheFirstFolderHoldsPng() throws IOException {
    // given PNG shapes, plus one phantom in the last class folder
    DemoData.generate(data, 2, 12, 28, 1);
    Path phantoms = data.resolve("phantoms");
    DicomPhantoms.generate(phantoms, 0, 1, 28, 1);
    try (var files = Files.walk(phantoms)) {
      Path dcm = files.filter(Files::isRegularFile).findFirst().orElseThrow();
      Files.copy(dcm, data.resolve("cross").resolve(dcm.getFileName()));
    }

    // when
    var loaded = SiteData.load(data, job(DemoData.classes(), 28, ""));

    // then
    assertEquals(SiteData.Kind.IMAGES, SiteData.kindOf(data, DemoData.classes()));
    assertEquals(12, loaded.report().loaded());
    assertTrue(loaded.report().problems().stream().anyMatch(p -> p.startsWith("1 DICOM files under the class "
        + "folders were not used")), loaded.report().problems().toString());
  }

  @Test
  void theSitesPixelLimitReachesBothReaders() {
    // given PNG shapes of 28x28 = 784 pixels and DICOM phantoms of 32x32 = 1024 pixels
    Path png = data.resolve("png");
    Path dicom = data.resolve("dicom");
    DemoData.generate(png, 0, 4, 28, 1);
    DicomPhantoms.generate(dicom, 0, 4, 32, 1);
    JobSpec shapes = job(DemoData.classes(), 28, "");
    JobSpec phantoms = job(DicomPhantoms.classes(), 32, "");

    // when / then each loads at its own size and is refused one pixel below, naming the limit
    assertEquals(4, SiteData.load(png, shapes, 784).report().loaded());
    assertEquals(4, SiteData.load(dicom, phantoms, 1024).report().loaded());
    var pngRefused = assertThrows(DataException.class, () -> SiteData.load(png, shapes, 783));
    var dicomRefused = assertThrows(DataException.class, () -> SiteData.load(dicom, phantoms, 1023));
    assertTrue(pngRefused.getMessage().contains("holds no images"), pngRefused.getMessage());
    assertTrue(dicomRefused.getMessage().contains("above this site's limit of 1,023 (--max-pixels)"),
        dicomRefused.getMessage());
  }

  @Test
  void kindOfNeverOpensFilesThatMayNotBeOpened() throws Exception {
    // given a first class folder holding only a FIFO and a link to a DICOM file outside the data folder
    Path outside = data.resolve("outside");
    DicomPhantoms.generate(outside, 0, 1, 16, 1);
    Path dcm = DicomSource.listFiles(outside, new ArrayList<>()).get(0).file();
    Path site = Files.createDirectories(data.resolve("site").resolve("circle"));
    HostileFiles.fifo(site.resolve("scan"));
    Files.createSymbolicLink(site.resolve("linked"), dcm);

    // when
    SiteData.Kind kind = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
        () -> SiteData.kindOf(data.resolve("site"), DemoData.classes()));

    // then neither was opened to look for the DICM prefix, so the folder is not taken for DICOM
    assertEquals(SiteData.Kind.IMAGES, kind);
  }

  private static JobSpec job(List<String> classes, int size, String extra) {
    return JobSpec.parse(String.join("\n", "name: site-data",
        "model: {name: cnn-fedavg, input: {width: " + size + ", height: " + size + ", channels: 1}}",
        "classes: [" + String.join(", ", classes) + "]",
        "rounds: 1", "min_sites: 1", "fraction: 1.0", "local_epochs: 1", "batch_size: 8",
        "optimizer: {name: adam, learning_rate: 0.001}", "round_deadline_seconds: 60", "seed: 1",
        "strategy: fedavg", "validation_fraction: 0.2", extra, ""));
  }
}
