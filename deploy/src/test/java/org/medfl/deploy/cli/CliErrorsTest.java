package org.medfl.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medfl.common.audit.AuditLog;
import org.medfl.common.testing.TestPki;
import org.medfl.deploy.provision.Provisioner;
import picocli.CommandLine;

/** Bad input gets one clear sentence and the right exit code, never a stack trace. */
class CliErrorsTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int fl(String... args) {
    CommandLine line = FlCommand.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    return line.execute(args);
  }

  @Test
  void malformedJobSpecIsRejectedNamingTheKey(@TempDir Path dir) throws Exception {
    // given
    Path job = dir.resolve("job.yaml");
    Files.writeString(job, "name: x\nmodel: {name: cnn-fedavg}\nclasses: [a, b]\nepochz: 3\n");
    // when
    int code = fl("job", "submit", "--kit", dir.toString(), job.toString());
    // then
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString().startsWith("fl: error: "), err.toString());
    assertTrue(err.toString().contains("epochz"), err.toString());
    assertFalse(err.toString().contains("\tat "), "no stack trace without --verbose");
  }

  @Test
  void missingJobFileIsNamed(@TempDir Path dir) {
    // when
    int code = fl("job", "submit", "--kit", dir.toString(), dir.resolve("nope.yaml").toString());
    // then
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString().contains("nope.yaml does not exist"), err.toString());
  }

  @Test
  void kitOfTheWrongRoleIsRefused(@TempDir Path dir) throws Exception {
    // given: a site's kit used for an admin command
    Provisioner.provision("demo", "127.0.0.1:1", List.of("hospital-a"), List.of("alice"), List.of(), dir.resolve("kits"));
    Path job = dir.resolve("job.yaml");
    Files.writeString(job, "name: x\nmodel: {name: cnn-fedavg}\nclasses: [a, b]\n");
    // when
    int code = fl("job", "submit", "--kit", dir.resolve("kits/hospital-a").toString(), job.toString());
    // then
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString().contains("hospital-a"), err.toString());
    assertTrue(err.toString().contains("admin"), err.toString());
  }

  @ParameterizedTest(name = "{0} 0")
  @ValueSource(strings = {"--max-pixels", "--training-threads"})
  void siteLimitBelowOneIsBadUsage(String option, @TempDir Path dir) throws Exception {
    // given a site's kit and data folder
    Provisioner.provision("demo", "127.0.0.1:1", List.of("hospital-a"), List.of("alice"), List.of(),
        dir.resolve("kits"));
    Path data = Files.createDirectories(dir.resolve("data"));
    // when
    int code = fl("site", "start", "--kit", dir.resolve("kits/hospital-a").toString(), "--data", data.toString(),
        option, "0");
    // then
    assertEquals(ExitCodes.USAGE, code);
    assertEquals("fl: error: " + option + " must be at least 1, got 0", err.toString().strip());
  }

  @Test
  void keyReadableByOthersIsRefusedNamingTheFix(@TempDir Path dir) throws Exception {
    // given: a site kit whose key someone made world-readable (cp without -p, a permissive umask, an archive tool)
    Provisioner.provision("demo", "127.0.0.1:1", List.of("hospital-a"), List.of("alice"), List.of(),
        dir.resolve("kits"));
    Path key = dir.resolve("kits/hospital-a/startup/key.pem");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    // when
    int code = fl("site", "status", "--kit", dir.resolve("kits/hospital-a").toString());
    // then
    assertEquals(ExitCodes.USAGE, code);
    assertEquals("fl: error: kit " + dir.resolve("kits/hospital-a") + ": " + key + " has mode 644 (group or others"
        + " have access); a private key must be owner-only: run chmod 600 " + key + System.lineSeparator(),
        err.toString());
  }

  @Test
  void provisionWithoutItsOptionsNamesThem() {
    // when
    int code = fl("provision", "--consortium", "demo");
    // then
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString().contains("Missing required options: '--coordinator=HOST:PORT', '--sites=NAME',"
        + " '--admins=NAME', '--out=DIR'"), err.toString());
  }

  @Test
  void provisioningTwiceIntoTheSameFolderIsRefused(@TempDir Path dir) {
    // given
    String[] args = {"provision", "--consortium", "demo", "--coordinator", "127.0.0.1:8443", "--sites", "a,b",
        "--admins", "alice", "--auditors", "audit", "--out", dir.resolve("kits").toString()};
    // when
    int first = fl(args);
    int second = fl(args);
    // then
    assertEquals(ExitCodes.OK, first);
    assertEquals(ExitCodes.USAGE, second);
    assertTrue(err.toString().contains("already exists"), err.toString());
  }

  @Test
  void unknownOptionIsUsageError() {
    // when
    int code = fl("simulate", "--rondus", "3");
    // then
    assertEquals(ExitCodes.USAGE, code);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "--weight-init | glorot | --weight-init must be he or pytorch, got 'glorot'",
      "--l2 | -1 | --l2 must be 0 or a positive number, got -1.0",
      "--l2-biases | -0.001 | --l2-biases must be 0 or a positive number, got -0.001"})
  void badRecipeValueIsUsageErrorBeforeAnyDataIsWritten(String flag, String value, String message,
      @TempDir Path dir) {
    // when
    int code = fl("simulate", flag, value, "--out", dir.resolve("run").toString());
    // then: refused before any data is written
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString().contains(message), err.toString());
    assertFalse(Files.exists(dir.resolve("run")));
  }

  @Test
  void partitionFileThatGivesAnImageToTwoSitesIsUsageErrorNamingIt(@TempDir Path dir) throws Exception {
    // given: a folder data set of 4 images and a partition file that lists image 1 twice
    for (String label : List.of("a", "b")) {
      Files.createDirectories(dir.resolve("data").resolve(label));
      for (int i = 0; i < 2; i++) {
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png",
            dir.resolve("data/" + label + "/" + i + ".png").toFile());
      }
    }
    Files.writeString(dir.resolve("draw.txt"), "0 1\n1 2 3\n");
    // when
    int code = fl("simulate", "--dataset", dir.resolve("data").toString(), "--sites", "2", "--partition",
        "file:" + dir.resolve("draw.txt"), "--out", dir.resolve("run").toString());
    // then
    assertEquals(ExitCodes.USAGE, code, err.toString());
    assertTrue(err.toString().contains("example 1 is given to site 1 and again to site 2 (line 2)"), err.toString());
  }

  @Test
  void auditVerifyPassesAnIntactLogAndNamesTheFirstTamperedRecord(@TempDir Path dir) throws Exception {
    // given: a signed log of four records, then a copy with one byte of record 3 changed
    TestPki pki = TestPki.create("demo");
    Path log = dir.resolve("audit.log");
    try (AuditLog audit = AuditLog.open(log, pki.coordinator(), "job-1")) {
      audit.append("alice", "job_submitted", Map.of("rounds", 5));
      audit.append("coordinator", "round_opened", Map.of("round", 1));
      audit.append("hospital-a", "update_received", Map.of("round", 1));
    }
    Path tampered = dir.resolve("tampered.log");
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    lines.set(2, lines.get(2).replace("\"round\":1", "\"round\":2"));
    Files.write(tampered, lines, StandardCharsets.UTF_8);
    // when
    int intact = fl("audit", "verify", "--log", log.toString());
    int broken = fl("audit", "verify", "--log", tampered.toString());
    // then
    assertEquals(ExitCodes.OK, intact);
    assertEquals(ExitCodes.FAILED, broken);
    assertTrue(out.toString().contains("record 3"), out.toString());
  }

  @Test
  void everyCommandExplainsItselfWithHelp() {
    // when
    int code = fl("job", "submit", "--help");
    // then
    assertEquals(ExitCodes.OK, code);
    assertTrue(out.toString().contains("Usage: fl job submit"), out.toString());
  }
}
