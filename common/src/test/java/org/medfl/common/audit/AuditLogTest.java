package org.medfl.common.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.crypto.Digests;
import org.medfl.common.pki.Pem;
import org.medfl.common.testing.TestPki;

class AuditLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TestPki pki = TestPki.create("demo");
  @TempDir Path dir;

  @Test
  void newLogStartsWithLogOpenedCarryingTheSignerCertificate() throws Exception {
    // given
    Path file = dir.resolve("job-1/audit.log");

    // when
    try (AuditLog log = AuditLog.open(file, pki.coordinator(), "job-1")) {
      assertEquals(1, log.head().records());
    }

    // then
    List<String> lines = Files.readAllLines(file);
    assertEquals(1, lines.size());
    JsonNode first = JSON.readTree(lines.get(0));
    List<String> fields = new ArrayList<>();
    first.fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("seq", "time", "job", "actor", "event", "details", "prev", "sig"), fields);
    assertEquals(1, first.get("seq").asLong());
    assertEquals("job-1", first.get("job").asText());
    assertEquals("coordinator", first.get("actor").asText());
    assertEquals("log_opened", first.get("event").asText());
    assertEquals("0".repeat(64), first.get("prev").asText());
    assertEquals(Pem.certificatesToPem(pki.coordinator().certificate()),
        first.get("details").get("signer_certificate").asText());
  }

  @Test
  void appendWritesDetailsInOrderAndReturnsHashOfTheLastLine() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("round", 3);
    details.put("sites", List.of("site-b", "site-a"));
    details.put("model_sha256", "ab12");

    // when
    ChainHead head;
    try (AuditLog log = AuditLog.open(file, pki.coordinator(), "job-1")) {
      head = log.append("site-a", "update_received", details);
    }

    // then
    List<String> lines = Files.readAllLines(file);
    assertEquals(new ChainHead(2, Digests.sha256Hex(lines.get(1).getBytes(StandardCharsets.UTF_8))), head);
    assertTrue(lines.get(1).contains(
        "\"actor\":\"site-a\",\"event\":\"update_received\","
            + "\"details\":{\"round\":3,\"sites\":[\"site-b\",\"site-a\"],\"model_sha256\":\"ab12\"},"
            + "\"prev\":\"" + Digests.sha256Hex(lines.get(0).getBytes(StandardCharsets.UTF_8)) + "\",\"sig\":\""),
        lines.get(1));
    assertTrue(Files.readString(file).endsWith("\"}\n"));
  }

  @Test
  void reopenedLogContinuesTheChain() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(file, pki.coordinator(), "job-1")) {
      log.append("coordinator", "round_started", Map.of("round", 1));
    }

    // when
    ChainHead head;
    try (AuditLog log = AuditLog.open(file, pki.coordinator(), "job-1")) {
      head = log.append("coordinator", "round_committed", Map.of("round", 1));
    }

    // then
    assertEquals(3, head.records());
    Verification verification = AuditVerifier.verify(file, pki.caCertificate(), head);
    assertTrue(verification.intact(), verification.summary());
  }

  @Test
  void tornLastLineIsCutOffAndTheCutIsRecorded() throws Exception {
    // given: a crash in the middle of writing record 3
    Path file = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(file, pki.coordinator(), "job-1")) {
      log.append("coordinator", "round_started", Map.of("round", 1));
    }
    String torn = "{\"seq\":3,\"time\":\"2025-";
    Files.writeString(file, torn, StandardOpenOption.APPEND);

    // when
    ChainHead head;
    try (AuditLog log = AuditLog.open(file, pki.coordinator(), "job-1")) {
      head = log.head();
    }

    // then
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size());
    JsonNode cut = JSON.readTree(lines.get(2));
    assertEquals("torn_record_truncated", cut.get("event").asText());
    assertEquals(2, cut.get("details").get("after_record").asLong());
    assertEquals(torn.length(), cut.get("details").get("bytes_removed").asLong());
    assertEquals(3, head.records());
    assertTrue(AuditVerifier.verify(file, pki.caCertificate(), head).intact());
  }

  @Test
  void openRefusesTheLogOfAnotherJob() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    AuditLog.open(file, pki.coordinator(), "job-1").close();
    byte[] before = Files.readAllBytes(file);

    // when
    AuditException e = assertThrows(AuditException.class, () -> AuditLog.open(file, pki.coordinator(), "job-2"));

    // then
    assertEquals("audit log " + file + " belongs to job 'job-1', not 'job-2'", e.getMessage());
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
  }

  @Test
  void openRefusesToContinueWithAnotherSigner() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    AuditLog.open(file, pki.coordinator(), "job-1").close();
    TestPki reprovisioned = TestPki.create("demo");

    // when
    AuditException e = assertThrows(AuditException.class,
        () -> AuditLog.open(file, reprovisioned.coordinator(), "job-1"));

    // then
    assertTrue(e.getMessage().contains("different coordinator certificate"), e.getMessage());
  }

  @Test
  void secondWriterOnTheSameFileIsRefused() throws Exception {
    // given
    Path file = dir.resolve("audit.log");
    try (AuditLog first = AuditLog.open(file, pki.coordinator(), "job-1")) {

      // when
      AuditException e = assertThrows(AuditException.class, () -> AuditLog.open(file, pki.coordinator(), "job-1"));

      // then
      assertTrue(e.getMessage().endsWith("is already open for writing by another AuditLog"), e.getMessage());
      assertEquals(1, first.head().records());
    }
  }

  @Test
  void eventNameMustBeSnakeCase() throws Exception {
    // given
    try (AuditLog log = AuditLog.open(dir.resolve("audit.log"), pki.coordinator(), "job-1")) {

      // when
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> log.append("coordinator", "RoundStarted", Map.of()));

      // then
      assertEquals("event 'RoundStarted' is not snake_case", e.getMessage());
    }
  }
}
