package org.medfl.common.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.pki.Identity;
import org.medfl.common.testing.TestPki;

class AuditVerifierTest {
  private final TestPki pki = TestPki.create("demo");
  @TempDir Path dir;

  @Test
  void intactLogVerifiesAgainstCaAndCommittedHead() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    ChainHead head = writeLog(file, pki.coordinator(), 12);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), head);

    // then
    assertTrue(verification.intact(), verification.summary());
    assertEquals(12, verification.records());
    assertEquals(0, verification.badRecord());
    assertEquals("intact: 12 records, chain head " + head.sha256().substring(0, 8)
        + "…, signed by coordinator (CN=coordinator, O=demo); matches the committed chain head at record 12",
        verification.summary());
  }

  @Test
  void singleChangedByteInDetailsFailsAtThatRecord() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    writeLog(file, pki.coordinator(), 8);
    List<String> lines = lines(file);
    String changed = lines.get(4).replace("\"round\":5", "\"round\":6");
    assertEquals(lines.get(4).length(), changed.length());
    assertFalse(changed.equals(lines.get(4)));
    lines.set(4, changed);
    write(file, lines);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertFalse(verification.intact());
    assertEquals(5, verification.badRecord());
    assertEquals("record 5: signature does not verify (content changed)", verification.problem());
  }

  @Test
  void removedMiddleLineFails() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    writeLog(file, pki.coordinator(), 8);
    List<String> lines = lines(file);
    lines.remove(3);
    write(file, lines);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertEquals(4, verification.badRecord());
    assertEquals("record 4: prev does not match record 3 (records removed or reordered)", verification.problem());
  }

  @Test
  void swappedLinesFail() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    writeLog(file, pki.coordinator(), 8);
    List<String> lines = lines(file);
    Collections.swap(lines, 5, 6);
    write(file, lines);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertFalse(verification.intact());
    assertEquals(6, verification.badRecord());
  }

  @Test
  void lineAppendedByHandWithoutValidSignatureFails() throws Exception {
    // given: a copy of the last record with a new seq and prev, keeping the old signature
    Path file = dir.resolve("audit.log");
    ChainHead head = writeLog(file, pki.coordinator(), 4);
    List<String> lines = lines(file);
    String forged = lines.get(3).replace("\"seq\":4", "\"seq\":5")
        .replaceFirst("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"" + head.sha256() + "\"");
    lines.add(forged);
    write(file, lines);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertEquals(5, verification.badRecord());
    assertEquals("record 5: signature does not verify (content changed)", verification.problem());
  }

  @Test
  void truncatedTailIsCaughtOnlyWithACommittedHead() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    ChainHead committed = writeLog(file, pki.coordinator(), 9);
    write(file, lines(file).subList(0, 7));

    // when
    Verification withHead = AuditVerifier.verify(file, pki.caCertificate(), committed);
    Verification withoutHead = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertEquals("log ends at record 7 but the checkpoint committed to record 9: records were removed from the end",
        withHead.problem());
    assertEquals(8, withHead.badRecord());
    assertTrue(withoutHead.intact(), withoutHead.summary());
  }

  @Test
  void logSignedByCoordinatorOfAnotherCaFailsWhenCaIsGiven() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    writeLog(file, TestPki.create("demo").coordinator(), 3);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertEquals(1, verification.badRecord());
    assertEquals("record 1: the signer certificate CN=coordinator,OU=coordinator,O=demo"
        + " was not issued by the consortium CA", verification.problem());
  }

  @Test
  void logSignedBySiteFails() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    writeLog(file, pki.site("site-a"), 2);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertEquals("record 1: the signer certificate belongs to site site-a, not to the coordinator",
        verification.problem());
  }

  @Test
  void lineThatIsNotJsonIsNamed() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    writeLog(file, pki.coordinator(), 7);
    List<String> lines = lines(file);
    lines.set(5, lines.get(5).substring(0, 40));
    write(file, lines);

    // when
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), null);

    // then
    assertEquals(6, verification.badRecord());
    assertEquals("line 6 is not valid JSON", verification.problem());
  }

  /** A log with log_opened plus round_started records for rounds 2..{@code records}. */
  private static ChainHead writeLog(Path file, Identity signer, int records) throws Exception {
    try (AuditLog log = AuditLog.open(file, signer, "job-1")) {
      ChainHead head = log.head();
      for (int round = 2; round <= records; round++) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("round", round);
        details.put("sites", List.of("site-a", "site-b"));
        head = log.append("coordinator", "round_started", details);
      }
      return head;
    }
  }

  private static List<String> lines(Path file) throws Exception {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static void write(Path file, List<String> lines) throws Exception {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }
}
