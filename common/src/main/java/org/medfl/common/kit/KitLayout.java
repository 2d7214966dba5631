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
  /** Files the manifest must cover; manifest keys are their names inside startup/. */
  static final List<String> SIGNED_FILES = List.of(CERT, KEY, CA, KIT_JSON);
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
