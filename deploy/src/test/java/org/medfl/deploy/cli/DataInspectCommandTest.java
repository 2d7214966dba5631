package org.medfl.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
