package org.medfl.common.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.medfl.common.crypto.Digests;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.PkiException;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.SubjectNames;

/**
 * Checks an audit log offline: JSON syntax, sequence, hash chain, every signature, and optionally the signer's
 * certificate against the consortium CA and the log's end against a chain head committed elsewhere.
 *
 * <p>It reports the first problem only: after one bad record, later ones prove nothing.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /**
   * Verifies {@code logFile}.
   *
   * @param caOrNull the consortium CA that must have issued the signer's certificate; null to skip that check
   * @param committedOrNull a chain head committed earlier (e.g. in a checkpoint); null to skip the truncation check
   */
  public static Verification verify(Path logFile, X509Certificate caOrNull, ChainHead committedOrNull) {
    byte[] content;
    try {
      content = Files.readAllBytes(logFile);
    } catch (NoSuchFileException e) {
      return Verification.broken(0, 1, "audit log " + logFile + " does not exist");
    } catch (IOException e) {
      return Verification.broken(0, 1, "cannot read audit log " + logFile + ": " + e.getMessage());
    }
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        lines.add(Arrays.copyOfRange(content, start, i));
        start = i + 1;
      }
    }
    boolean tornTail = start < content.length;
    return new Check(lines, caOrNull).run(tornTail, committedOrNull);
  }

  /** The state of one verification pass. */
  private static final class Check {
    private final List<byte[]> lines;
    private final X509Certificate ca;
    private X509Certificate signer;
    private String job;

    Check(List<byte[]> lines, X509Certificate ca) {
      this.lines = lines;
      this.ca = ca;
    }

    Verification run(boolean tornTail, ChainHead committed) {
      long count = lines.size();
      if (count == 0) {
        return Verification.broken(0, 1, tornTail
            ? "line 1 is incomplete (no trailing newline): the writer stopped in the middle of record 1"
            : "the log is empty: record 1 (log_opened) is missing");
      }
      String previousHash = RecordFormat.GENESIS_PREV;
      for (int i = 1; i <= count; i++) {
        byte[] line = lines.get(i - 1);
        Optional<String> problem = checkRecord(i, line, previousHash);
        if (problem.isPresent()) {
          return Verification.broken(count, i, problem.get());
        }
        previousHash = Digests.sha256Hex(line);
      }
      if (tornTail) {
        return Verification.broken(count, count + 1, "line " + (count + 1)
            + " is incomplete (no trailing newline): the writer stopped in the middle of a record");
      }
      String suffix = "";
      if (committed != null) {
        if (count < committed.records()) {
          return Verification.broken(count, count + 1, "log ends at record " + count
              + " but the checkpoint committed to record " + committed.records()
              + ": records were removed from the end");
        }
        if (committed.records() >= 1
            && !Digests.sha256Hex(lines.get((int) committed.records() - 1)).equals(committed.sha256())) {
          return Verification.broken(count, committed.records(), "record " + committed.records()
              + " does not match the chain head committed in the checkpoint: the log was rewritten");
        }
        suffix = "; matches the committed chain head at record " + committed.records();
      }
      if (ca == null) {
        suffix += "; signer not checked against a consortium CA";
      }
      Peer peer = Peer.of(signer);
      String consortium = SubjectNames.organization(signer).orElse("?");
      return Verification.intact(count, "intact: " + count + " records, chain head "
          + previousHash.substring(0, 8) + "…, signed by " + peer.name() + " (CN=" + peer.name() + ", O="
          + consortium + ")" + suffix);
    }

    private Optional<String> checkRecord(int i, byte[] line, String previousHash) {
      String at = "record " + i + ": ";
      Optional<JsonNode> parsed = RecordFormat.parse(line);
      if (parsed.isEmpty()) {
        return Optional.of("line " + i + " is not valid JSON");
      }
      JsonNode record = parsed.get();
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = record.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      if (!names.equals(RecordFormat.FIELDS)) {
        return Optional.of(at + "fields are " + names + ", expected " + RecordFormat.FIELDS);
      }
      if (!record.get("seq").isIntegralNumber() || !record.get("details").isObject()
          || !allText(record, "time", "job", "actor", "event", "prev", "sig")) {
        return Optional.of(at + "a field has the wrong type");
      }
      if (i == 1) {
        Optional<String> problem = readSigner(record);
        if (problem.isPresent()) {
          return problem;
        }
      }
      Optional<String> signatureProblem = checkSignature(line, record.get("sig").asText());
      if (signatureProblem.isPresent()) {
        return Optional.of(at + signatureProblem.get());
      }
      if (!record.get("prev").asText().equals(previousHash)) {
        return Optional.of(i == 1
            ? at + "prev is not 64 zeros: records were removed from the start"
            : at + "prev does not match record " + (i - 1) + " (records removed or reordered)");
      }
      long seq = record.get("seq").asLong();
      if (seq != i) {
        return Optional.of(at + "seq is " + seq + ", expected " + i + " (records removed, duplicated or reordered)");
      }
      if (!record.get("job").asText().equals(job)) {
        return Optional.of(at + "job '" + record.get("job").asText() + "' differs from the log's job '" + job + "'");
      }
      try {
        DateTimeFormatter.ISO_INSTANT.parse(record.get("time").asText());
      } catch (DateTimeParseException e) {
        return Optional.of(at + "time '" + record.get("time").asText() + "' is not an ISO-8601 UTC instant");
      }
      return Optional.empty();
    }

    private Optional<String> readSigner(JsonNode first) {
      JsonNode pem = first.get("details").get(RecordFormat.SIGNER_CERTIFICATE);
      if (!RecordFormat.LOG_OPENED.equals(first.get("event").asText()) || pem == null || !pem.isTextual()) {
        return Optional.of("record 1: is not a log_opened record with the signer's certificate");
      }
      try {
        signer = Pem.certificatesFromPem(pem.asText(), "the signer certificate").get(0);
      } catch (PkiException e) {
        return Optional.of("record 1: " + e.getMessage());
      }
      job = first.get("job").asText();
      if (ca != null && !ConsortiumCa.issued(ca, signer)) {
        return Optional.of("record 1: the signer certificate " + signer.getSubjectX500Principal().getName()
            + " was not issued by the consortium CA");
      }
      try {
        Peer peer = Peer.of(signer);
        if (peer.role() != Role.COORDINATOR) {
          return Optional.of("record 1: the signer certificate belongs to " + peer.role().certValue() + " "
              + peer.name() + ", not to the coordinator");
        }
      } catch (PkiException e) {
        return Optional.of("record 1: " + e.getMessage());
      }
      return Optional.empty();
    }

    private Optional<String> checkSignature(byte[] line, String signature) {
      Optional<byte[]> signed = RecordFormat.signedBytes(line, signature);
      if (signed.isEmpty()) {
        return Optional.of("sig is not the last field of the line");
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(signature);
      } catch (IllegalArgumentException e) {
        return Optional.of("sig is not base64");
      }
      if (!Signatures.verify(signer.getPublicKey(), signed.get(), raw)) {
        return Optional.of("signature does not verify (content changed)");
      }
      return Optional.empty();
    }

    private static boolean allText(JsonNode record, String... fields) {
      for (String field : fields) {
        if (!record.get(field).isTextual()) {
          return false;
        }
      }
      return true;
    }
  }
}
