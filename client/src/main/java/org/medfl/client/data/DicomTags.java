package org.medfl.client.data;

import java.util.HashMap;
import java.util.Map;

/**
 * The top-level data elements of one file as ImageJ's DICOM decoder lists them ("GGGG,EEEE  Name: value" per line).
 * The first occurrence of a tag wins: ImageJ lists the items of defined-length sequences without marking them, and
 * a nested element (say, a Patient ID inside Other Patient IDs Sequence) always comes after the top-level one of
 * the same tag. Lines ImageJ marks as nested ("&gt;") are ignored.
 */
final class DicomTags {

  private final Map<Integer, String> values = new HashMap<>();

  private DicomTags() {}

  /** Parses ImageJ's header listing; null or empty text gives no tags. */
  static DicomTags parse(String info) {
    var tags = new DicomTags();
    if (info == null) {
      return tags;
    }
    for (String line : info.split("\n")) {
      if (line.length() < 9 || line.charAt(4) != ',') {
        continue;
      }
      int tag;
      try {
        tag = Integer.parseInt(line.substring(0, 4), 16) << 16 | Integer.parseInt(line.substring(5, 9), 16);
      } catch (NumberFormatException e) {
        continue;
      }
      String rest = line.substring(9).strip();
      if (rest.startsWith(">")) {
        continue;
      }
      int colon = rest.indexOf(": ");
      String value = colon < 0 ? "" : rest.substring(colon + 2).strip();
      tags.values.putIfAbsent(tag, value);
    }
    return tags;
  }

  /** Tags read by our own header parser ({@link ExplicitVrHeader}), values already in ImageJ's text form. */
  static DicomTags of(Map<Integer, String> values) {
    var tags = new DicomTags();
    tags.values.putAll(values);
    return tags;
  }

  boolean has(int tag) {
    return values.containsKey(tag);
  }

  /** The value's text without padding, or null when absent or empty. */
  String text(int tag) {
    String v = values.get(tag);
    return v == null || v.isEmpty() ? null : v;
  }

  /** An integer value (US, IS); {@code fallback} when absent. */
  int integer(int tag, int fallback) throws DicomReader.RefusedException {
    String v = text(tag);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(first(v));
    } catch (NumberFormatException e) {
      throw new DicomReader.RefusedException(notNumeric(tag, v, "an integer"));
    }
  }

  /** The first value of a decimal string (DS), or null when absent. */
  Double decimal(int tag) throws DicomReader.RefusedException {
    String v = text(tag);
    if (v == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(first(v));
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new DicomReader.RefusedException(notNumeric(tag, v, "a number"));
    }
  }

  /**
   * The reason for a numeric element that is not numeric. Its value is not quoted: in a damaged file the parser may
   * be reading the bytes of another element, a patient's name say, and skip reasons end up in the site's logs.
   */
  private static String notNumeric(int tag, String value, String what) {
    return "corrupt header: " + DicomFileMeta.hex(tag) + " holds " + value.length() + " characters that are not "
        + what;
  }

  /** The first of several values ("a\b") of a multi-valued element. */
  private static String first(String v) {
    int backslash = v.indexOf('\\');
    return (backslash < 0 ? v : v.substring(0, backslash)).strip();
  }
}
