package org.medfl.client.data;

/**
 * The DICOM transfer syntaxes this site reads, and for every other one the reason it is refused and a tool that
 * converts it. Checked before ImageJ sees a file, because ImageJ's decoder would read some syntaxes it does not
 * support (deflate, for one) as raw pixels and return a wrong image without complaint.
 */
final class TransferSyntax {

  static final String IMPLICIT_LITTLE = "1.2.840.10008.1.2";
  static final String EXPLICIT_LITTLE = "1.2.840.10008.1.2.1";
  static final String EXPLICIT_BIG = "1.2.840.10008.1.2.2";
  /** Deflated explicit VR little endian: inflated by {@link DeflatedDataSet}. */
  static final String DEFLATED = "1.2.840.10008.1.2.1.99";
  /** RLE Lossless: decoded by {@link RleFrames}. */
  static final String RLE = "1.2.840.10008.1.2.5";
  /** JPEG Baseline (Process 1), 8-bit lossy: decoded by {@link JpegFrames}. */
  static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
  /** JPEG Lossless, Non-Hierarchical (Process 14), any predictor: decoded by {@link JpegFrames}. */
  static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
  /** JPEG Lossless, Process 14 with first-order prediction (Selection Value 1), the usual one: {@link JpegFrames}. */
  static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
  private static final String JPEG_FAMILY = "1.2.840.10008.1.2.4.";

  private TransferSyntax() {}

  /** Whether pixel data in {@code uid} is stored most significant byte first. */
  static boolean bigEndian(String uid) {
    return EXPLICIT_BIG.equals(uid);
  }

  /** Whether {@code uid} is one of the two JPEG Lossless (Process 14) syntaxes. */
  static boolean jpegLossless(String uid) {
    return JPEG_LOSSLESS.equals(uid) || JPEG_LOSSLESS_SV1.equals(uid);
  }

  /** Null when the syntax is read; otherwise one sentence saying why not and how to convert the file. */
  static String refusal(String uid) {
    if (uid == null || uid.isEmpty()) {
      return "the file meta information has no Transfer Syntax UID (0002,0010); rewrite the file as explicit VR "
          + "little endian, e.g. with dcmtk's 'dcmconv +te IN OUT'";
    }
    if (uid.equals(IMPLICIT_LITTLE) || uid.equals(EXPLICIT_LITTLE) || uid.equals(EXPLICIT_BIG)
        || uid.equals(JPEG_BASELINE) || jpegLossless(uid) || uid.equals(RLE) || uid.equals(DEFLATED)) {
      return null;
    }
    String name;
    String tool;
    if (uid.startsWith(JPEG_FAMILY)) {
      String last = uid.substring(JPEG_FAMILY.length());
      if (last.equals("80") || last.equals("81")) {
        name = "JPEG-LS";
        tool = "dcmtk's 'dcmdjpls IN OUT' or gdcm's 'gdcmconv --raw IN OUT'";
      } else if (last.startsWith("9")) {
        name = "JPEG 2000";
        tool = "gdcm's 'gdcmconv --raw IN OUT'";
      } else if (last.startsWith("10")) {
        name = "MPEG video";
        tool = "gdcm's 'gdcmconv --raw IN OUT' (where it can) or export frames from the modality";
      } else if (last.startsWith("20")) {
        name = "High-Throughput JPEG 2000";
        tool = "gdcm's 'gdcmconv --raw IN OUT'";
      } else {
        name = "JPEG";
        tool = "dcmtk's 'dcmdjpeg IN OUT' or gdcm's 'gdcmconv --raw IN OUT'";
      }
    } else {
      name = "an unsupported";
      tool = "gdcm's 'gdcmconv --raw IN OUT'";
    }
    return name + " transfer syntax " + uid + " is not decoded here (only uncompressed, deflated, RLE lossless, "
        + "JPEG Baseline and JPEG Lossless data are); "
        + "convert it to uncompressed explicit VR little endian with " + tool;
  }
}
