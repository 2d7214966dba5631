package org.medfl.common.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The line format shared by the writer and the verifier: field order, the genesis hash and what the signature covers. */
final class RecordFormat {
  static final List<String> FIELDS = List.of("seq", "time", "job", "actor", "event", "details", "prev", "sig");
  static final String GENESIS_PREV = "0".repeat(64);
  static final String LOG_OPENED = "log_opened";
  static final String SIGNER_CERTIFICATE = "signer_certificate";
  // Duplicate keys would let a line say one thing to this parser and another to a different one.
  static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private RecordFormat() {}

  /** The line for {@code unsigned} (a JSON object without sig) once signed with base64 {@code signature}. */
  static byte[] withSignature(byte[] unsigned, String signature) {
    byte[] tail = sigTail(signature);
    byte[] line = Arrays.copyOf(unsigned, unsigned.length - 1 + tail.length);
    System.arraycopy(tail, 0, line, unsigned.length - 1, tail.length);
    return line;
  }

  /**
   * The bytes the signature of {@code line} covers: the line with its trailing {@code ,"sig":"..."} removed and
   * the closing brace put back; empty if the line does not end with a sig field holding exactly {@code signature}.
   */
  static Optional<byte[]> signedBytes(byte[] line, String signature) {
    byte[] tail = sigTail(signature);
    int start = line.length - tail.length;
    if (start < 1 || !Arrays.equals(line, start, line.length, tail, 0, tail.length)) {
      return Optional.empty();
    }
    byte[] signed = Arrays.copyOf(line, start + 1);
    signed[start] = '}';
    return Optional.of(signed);
  }

  /** {@code line} as a JSON object; empty if it is not valid JSON or not an object. */
  static Optional<JsonNode> parse(byte[] line) {
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static byte[] sigTail(String signature) {
    return (",\"sig\":\"" + signature + "\"}").getBytes(StandardCharsets.US_ASCII);
  }
}
