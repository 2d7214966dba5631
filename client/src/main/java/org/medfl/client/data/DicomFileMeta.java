package org.medfl.client.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The DICOM Part 10 file preamble and File Meta Information group (0002), read by us rather than by ImageJ: the
 * transfer syntax must be known before any pixel is trusted, and ImageJ reports it only in free text after it has
 * already guessed how to read the data. Group 0002 is always explicit VR little endian (PS3.10 section 7.1).
 *
 * @param transferSyntaxUid (0002,0010), or null when the group lacks it
 * @param dataSetOffset where the data set starts: the byte after the last group 0002 element
 * @param otherElements group 0002 as stored, less its group length (0002,0000) and the transfer syntax; what a
 *     rewritten copy of the file keeps ({@link DeflatedDataSet})
 */
record DicomFileMeta(String transferSyntaxUid, long dataSetOffset, byte[] otherElements) {

  /** Bytes before the "DICM" prefix. */
  static final int PREAMBLE = 128;
  private static final int TRANSFER_SYNTAX = 0x00020010;
  private static final int GROUP_LENGTH = 0x00020000;
  /** Explicit VRs whose length is 32 bits after two reserved bytes (PS3.5 table 7.1-1). */
  private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
      "UR", "UT", "UV");
  /** A meta element longer than this is corruption, not a UID. */
  private static final int MAX_META_ELEMENT = 1 << 16;

  /** Why a file is not DICOM Part 10; the message is the reason shown to the operator. */
  static final class NotPart10Exception extends Exception {
    private static final long serialVersionUID = 1L;

    NotPart10Exception(String reason) {
      super(reason);
    }
  }

  /** Whether {@code file} starts with a 128-byte preamble and "DICM", without reading further. */
  static boolean hasPart10Prefix(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(PREAMBLE + 4);
      return head.length == PREAMBLE + 4
          && new String(head, PREAMBLE, 4, StandardCharsets.US_ASCII).equals("DICM");
    } catch (IOException e) {
      return false;
    }
  }

  /** Reads the preamble and group 0002 of {@code file}. */
  static DicomFileMeta read(Path file) throws IOException, NotPart10Exception {
    try (var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      byte[] head = in.readNBytes(PREAMBLE + 4);
      if (head.length < PREAMBLE + 4
          || !new String(head, PREAMBLE, 4, StandardCharsets.US_ASCII).equals("DICM")) {
        throw new NotPart10Exception("not a DICOM Part 10 file (no 'DICM' after the 128-byte preamble)");
      }
      String transferSyntax = null;
      long position = PREAMBLE + 4;
      var others = new java.io.ByteArrayOutputStream();
      try {
        while (true) {
          int group = u16(in);
          if (group != 0x0002) {
            break;
          }
          int tag = group << 16 | u16(in);
          String vr = new String(in.readNBytes(2), StandardCharsets.US_ASCII);
          long length;
          int headerBytes;
          if (LONG_VRS.contains(vr)) {
            in.skipNBytes(2);
            length = u16(in) | (long) u16(in) << 16;
            headerBytes = 12;
          } else {
            length = u16(in);
            headerBytes = 8;
          }
          if (length > MAX_META_ELEMENT) {
            throw new NotPart10Exception("corrupt file meta information: element " + hex(tag) + " claims "
                + length + " bytes");
          }
          byte[] value = in.readNBytes((int) length);
          if (value.length < length) {
            throw new NotPart10Exception("truncated in the file meta information");
          }
          if (tag == TRANSFER_SYNTAX) {
            transferSyntax = uid(value);
          } else if (tag != GROUP_LENGTH) {
            others.writeBytes(explicitElement(tag, vr, value, headerBytes == 12));
          }
          position += headerBytes + length;
        }
      } catch (EOFException e) {
        throw new NotPart10Exception("truncated in the file meta information");
      }
      return new DicomFileMeta(transferSyntax, position, others.toByteArray());
    }
  }

  /** One explicit VR little endian element, as group 0002 stores it. */
  static byte[] explicitElement(int tag, String vr, byte[] value, boolean longLength) {
    var b = java.nio.ByteBuffer.allocate((longLength ? 12 : 8) + value.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) (tag >>> 16)).putShort((short) tag).put(vr.getBytes(StandardCharsets.US_ASCII));
    if (longLength) {
      b.putShort((short) 0).putInt(value.length);
    } else {
      b.putShort((short) value.length);
    }
    return b.put(value).array();
  }

  private static int u16(DataInputStream in) throws IOException {
    int lo = in.read();
    int hi = in.read();
    if ((lo | hi) < 0) {
      throw new EOFException();
    }
    return hi << 8 | lo;
  }

  /** A UI value without the trailing NUL or space padding. */
  private static String uid(byte[] value) {
    int end = value.length;
    while (end > 0 && (value[end - 1] == 0 || value[end - 1] == ' ')) {
      end--;
    }
    return new String(value, 0, end, StandardCharsets.US_ASCII);
  }

  static String hex(int tag) {
    return String.format("(%04X,%04X)", tag >>> 16, tag & 0xffff);
  }
}
