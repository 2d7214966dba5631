package org.medfl.deploy.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A whole federation on DICOM phantoms, with secure aggregation, writes no private key, no Patient ID or Patient's
 * Name and no run of pixel data to any log line of the coordinator or the sites, to the console, or to any text
 * file of its output folder (audit logs, round records, egress ledgers, summary). {@link LeakScannerTest} shows the
 * scanner finds each of those when it is there.
 */
class LogSecretsIT {

  @Test
  void federationLogsNoKeyPatientIdentityOrPixels(@TempDir Path dir) throws Exception {
    // given: every logger of ours writes at debug (deploy/pom.xml), captured with stdout, stderr and gRPC's JUL
    assertTrue(LoggerFactory.getLogger("org.medfl.deploy").isDebugEnabled(), "set org.slf4j.simpleLogger.log."
        + "org.medfl=debug for this test (deploy/pom.xml does), or debug lines go unchecked");
    Path run = dir.resolve("run");
    StringWriter console = new StringWriter();
    Simulation.Options options = Simulation.Options.phantoms(2, 2, run, 40, 7)
        .withSpec("secure_aggregation: {threshold: 2}\n");

    // when
    Simulation.Result result;
    String logs;
    try (LogCapture capture = LogCapture.start()) {
      result = new Simulation(options, new PrintWriter(console, true)).run();
      logs = capture.text();
    }

    // then the run did what it logs about, and the capture holds both sides' lines
    assertEquals("FINISHED", result.state(), console.toString());
    assertTrue(logs.contains("INFO org.medfl.coordinator.round.RoundDriver - job"), "no coordinator line captured");
    assertTrue(logs.contains("INFO org.medfl.client.SiteAgent - job"), "no site line captured");
    // the scanner knows this run's secrets: it finds them in the files that legitimately hold them
    LeakScanner scanner = LeakScanner.forRun(run);
    assertEquals(6 + 2 * (40 / 2) + 1 + 2 * 40, scanner.secrets(), "6 kit keys, 2x20 patients, 1 name, 80 files");
    assertFalse(scanner.scan("a key", LeakScanner.read(run.resolve("kits/hospital-1/startup/key.pem"))).isEmpty());
    assertFalse(scanner.scan("a DICOM file", LeakScanner.read(LeakScanner.files(run.resolve("data")).get(0)))
        .isEmpty());
    // and finds none of them in what the run logged or wrote outside its data and kits
    var leaks = new ArrayList<LeakScanner.Leak>();
    leaks.addAll(scanner.scan("the console", console.toString()));
    leaks.addAll(scanner.scan("the captured logs", logs));
    List<Path> scanned = new ArrayList<>();
    for (Path file : LeakScanner.files(run)) {
      if (!file.startsWith(run.resolve("data")) && !file.startsWith(run.resolve("kits")) && LeakScanner.isText(file)) {
        scanned.add(run.relativize(file));
        leaks.addAll(scanner.scan(run.relativize(file).toString(), LeakScanner.read(file)));
      }
    }
    assertTrue(scanned.containsAll(List.of(Path.of("audit.log"), Path.of("summary.json"), Path.of("job.yaml"),
        Path.of("site-state/hospital-1/egress.jsonl"), Path.of("site-state/hospital-2/egress.jsonl"),
        run.relativize(result.auditLog()))), scanned.toString());
    assertEquals(List.of(), leaks, "scanned " + logs.lines().count() + " log lines, the console and " + scanned);
  }
}
