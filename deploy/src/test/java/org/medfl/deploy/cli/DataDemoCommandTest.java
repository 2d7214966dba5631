package org.medfl.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.DemoData;
import org.medfl.client.data.DicomPhantoms;
import org.medfl.client.data.SiteData;
import picocli.CommandLine;

/** fl data demo: PNG shapes by default, DICOM phantoms with --dicom. */
class DataDemoCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir
  Path dir;

  private int fl(String... args) {
    CommandLine line = FlCommand.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return line.execute(args);
  }

  @Test
  void dicomFlagWritesPhantomsThatASiteReadsAsDicom() throws Exception {
    // given
    Path site = dir.resolve("site");

    // when
    int code = fl("data", "demo", "--dicom", "--out", site.toString(), "--images", "6", "--size", "32");

    // then
    assertEquals(ExitCodes.OK, code, err.toString());
    assertEquals("6 synthetic CT phantom DICOM files (32x32, not patient data) in " + site + ": normal, nodule\n",
        out.toString());
    try (var files = Files.walk(site)) {
      assertEquals(6, files.filter(f -> f.toString().endsWith(".dcm")).count());
    }
    assertEquals(SiteData.Kind.DICOM, SiteData.kindOf(site, DicomPhantoms.classes()));
  }

  @Test
  void withoutTheFlagItWritesPngShapes() throws Exception {
    // given
    Path site = dir.resolve("site");

    // when
    int code = fl("data", "demo", "--out", site.toString(), "--images", "4");

    // then
    assertEquals(ExitCodes.OK, code, err.toString());
    try (var files = Files.walk(site)) {
      assertEquals(4, files.filter(f -> f.toString().endsWith(".png")).count());
    }
    assertEquals(SiteData.Kind.IMAGES, SiteData.kindOf(site, DemoData.classes()));
  }

  @Test
  void phantomSizeBelowSixteenIsAUsageError() {
    // when
    int code = fl("data", "demo", "--dicom", "--out", dir.resolve("site").toString(), "--size", "8");

    // then
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString().contains("--size between 16 and 1024 with --dicom"), err.toString());
    assertEquals(List.of(), List.of(dir.toFile().list()));
  }
}
