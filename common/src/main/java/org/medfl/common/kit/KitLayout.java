package org.medfl.common.kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.SortedMap;

/** File names inside a kit and the canonical form of its manifest, shared by writer and loader. */
final class KitLayout {
  static final int FORMAT = 1;
  static final String STARTUP = "startup";
  static final String LOCAL = "local";
  static final String TRANSFER = "transfer";
  static final String CERT = "startup/cert.pem";
  static final String KEY = "startup/key.pem";
  static final String CA = "startup/ca.pem";
  static final String KIT_JSON = "startup/kit.json";
  static final String MANIFEST = "startup/manifest.json";
  static final String LOCAL_README = "local/README.txt";
  /** The coordinator's revocation list; CA-signed itself, so outside the manifest and replaceable at any time. */
  static final String CRL = "startup/crl.pem";
  /** Where {@code fl site enroll} keeps a new key and its signing request until the signed kit comes back. */
  static final String ENROLL = "enroll";
  static final String ENROLL_KEY = "enroll/key.pem";
  /** Files the manifest of a provisioned kit covers; manifest keys are their names inside startup/. */
  static final List<String> SIGNED_FILES = List.of(CERT, KEY, CA, KIT_JSON);
  /**
   * Files every manifest must cover. A kit signed from a request ({@code fl provision sign}) leaves the key out: the
   * CA never saw it, and the loader checks it against the signed certificate instead.
   */
  static final List<String> REQUIRED_FILES = List.of(CERT, CA, KIT_JSON);
  static final ObjectMapper JSON = new ObjectMapper();

  private KitLayout() {}

  /** The bytes the CA signs: compact JSON {"format":1,"files":{name:sha256,...}} with names sorted. */
  static byte[] canonicalManifest(int format, SortedMap<String, String> digests) {
    ObjectNode node = JSON.createObjectNode();
    node.put("format", format);
    ObjectNode files = node.putObject("files");
    digests.forEach(files::put);
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers is always writable", e);
    }
  }

  /** "cert.pem" for "startup/cert.pem". */
  static String manifestKey(String relativePath) {
    return relativePath.substring(STARTUP.length() + 1);
  }
}
