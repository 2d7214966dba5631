package org.medfl.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.DicomPhantoms;
import picocli.CommandLine;

/** fl data inspect: the report on stdout and the exit code hospital IT scripts rely on. */
class DataInspectCommandTest {
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
  void usablePhantomsExitZeroWithTheReport() throws Exception {
    // given phantoms and a job for their classes at their size
    DicomPhantoms.generate(dir.resolve("site"), 0, 4, 28, 1);
    Path job = Files.writeString(dir.resolve("job.yaml"),
        "name: ct\nmodel: {name: cnn-fedavg}\nclasses: [normal, nodule]\n");

    // when
    int code = fl("data", "inspect", dir.resolve("site").toString(), "--job", job.toString());

    // then
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(out.toString().contains("modalities: CT 4"), out.toString());
    assertTrue(out.toString().contains("usable: yes"), out.toString());
    assertEquals("", err.toString(), "no progress bar for a run under a second");
  }

  @Test
  void folderWithNothingUsableExitsOne() throws Exception {
    // given
    Files.createDirectories(dir.resolve("site").resolve("normal"));

    // when
    int code = fl("data", "inspect", dir.resolve("site").toString());

    // then
    assertEquals(ExitCodes.FAILED, code);
    assertTrue(out.toString().contains("usable: no"), out.toString());
  }

  @Test
  void missingFolderOrBadJobIsBadUsage() throws Exception {
    // given
    Files.createDirectories(dir.resolve("site"));
    Path job = Files.writeString(dir.resolve("job.yaml"), "name: ct\nclasses: [a]\n");

    // when / then
    assertEquals(ExitCodes.USAGE, fl("data", "inspect", dir.resolve("nope").toString()));
    assertTrue(err.toString().contains("nope does not exist"), err.toString());
    assertEquals(ExitCodes.USAGE, fl("data", "inspect", dir.resolve("site").toString(), "--job", job.toString()));
  }

  @Test
  void hostileFilesAreListedAsUnreadableAndNeverOpened() throws Exception {
    // given phantoms, plus a FIFO, a link to /etc/passwd, an empty file and a folder named like an image
    Path site = dir.resolve("site");
    DicomPhantoms.generate(site, 0, 4, 28, 1);
    Path normal = Files.createDirectories(site.resolve("normal"));
    Process mkfifo = new ProcessBuilder("mkfifo", normal.resolve("y.dcm").toString()).start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
    Files.createSymbolicLink(normal.resolve("passwd.dcm"), Path.of("/etc/passwd"));
    Files.write(normal.resolve("empty.dcm"), new byte[0]);
    Files.createDirectories(normal.resolve("x.png"));

    // when: bounded, because an inspector that opened the FIFO would wait for ever
    int code = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> fl("data", "inspect", site.toString()));

    // then the phantoms are usable and the four are listed with their reasons
    assertEquals(ExitCodes.OK, code, err.toString());
    String report = out.toString();
    assertTrue(report.contains("unreadable: 4\n"
        + "  normal/empty.dcm: empty file (0 bytes)\n"
        + "  normal/passwd.dcm: leads outside the data folder (symbolic link); not read\n"
        + "  normal/x.png: a folder, not a file\n"
        + "  normal/y.dcm: a FIFO (named pipe), not a regular file; not opened\n"), report);
    assertTrue(report.contains("usable: yes"), report);
  }

  @Test
  void maxPixelsCountsLargerImagesAsUnreadable() {
    // given phantoms of 28x28 = 784 pixels
    DicomPhantoms.generate(dir.resolve("site"), 0, 2, 28, 1);

    // when
    int code = fl("data", "inspect", dir.resolve("site").toString(), "--max-pixels", "783");
    int zero = fl("data", "inspect", dir.resolve("site").toString(), "--max-pixels", "0");

    // then nothing is usable below the phantoms' size, and a limit below 1 is bad usage
    assertEquals(ExitCodes.FAILED, code);
    assertTrue(out.toString().contains("unreadable: 2\n"), out.toString());
    assertTrue(out.toString().contains(": image is 28x28 = 784 pixels, above this site's limit of 783 (--max-pixels); "
        + "not decoded"), out.toString());
    assertEquals(ExitCodes.USAGE, zero);
    assertTrue(err.toString().contains("--max-pixels must be at least 1, got 0"), err.toString());
    out.getBuffer().setLength(0);
    assertEquals(ExitCodes.FAILED, fl("data", "inspect", dir.resolve("site").toString(), "--max-pixels", "783",
        "--list-unreadable"));
    assertEquals(2, out.toString().lines().filter(l -> l.endsWith(": image is 28x28 = 784 pixels, above this site's "
        + "limit of 783 (--max-pixels); not decoded")).count(), out.toString());
  }

  @Test
  void progressBarAppearsOnlyAfterASecond() {
    // given a fake clock
    var clock = new AtomicLong();
    var text = new StringWriter();
    var bar = new ProgressBar(new PrintWriter(text), clock::get);

    // when half a second passes, then two seconds
    clock.set(500_000_000L);
    bar.update(1, 4);
    String early = text.toString();
    clock.set(2_000_000_000L);
    bar.update(2, 4);
    bar.finish();

    // then
    assertEquals("", early);
    assertTrue(text.toString().startsWith("\r[###############               ] 2/4 files"), text.toString());
    assertTrue(text.toString().endsWith(System.lineSeparator()));
  }
}
